"""nnlib: a neural network built from scratch in NumPy, one idea per module.

Every chapter of *Neural Networks from Scratch* teaches one of these modules.
"""
from .activations import Activation, ReLU, Sigmoid, Softmax, Tanh
from .dense import Dense
from .gradcheck import (check_gradients, check_loss_gradient,
                        numerical_gradient)
from .layer import Layer
from .losses import MSE, BinaryCrossEntropy, CategoricalCrossEntropy, Loss
from .network import Network, TrainingDiverged, accuracy
from .optimizers import SGD, Adam, Optimizer
from .source import show_source
from . import data

__version__ = "1.0.0"

__all__ = [
    "Layer", "Dense", "Activation", "Tanh", "Sigmoid", "ReLU", "Softmax",
    "Loss", "MSE", "BinaryCrossEntropy", "CategoricalCrossEntropy",
    "Optimizer", "SGD", "Adam", "Network", "TrainingDiverged", "accuracy",
    "check_gradients", "check_loss_gradient", "numerical_gradient",
    "show_source", "data",
]
