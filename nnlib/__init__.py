"""nnlib: a neural network built from scratch in NumPy, one idea per module.

Every chapter of *Neural Networks from Scratch* teaches one of these modules.
"""
from .activations import Activation, ReLU, Sigmoid, Softmax, Tanh
from .augment import move, shift_images
from .dense import Dense
from .dropout import Dropout
from .gradcheck import (check_gradients, check_loss_gradient,
                        numerical_gradient)
from .layer import Layer
from .losses import MSE, BinaryCrossEntropy, CategoricalCrossEntropy, Loss
from .network import Network, TrainingDiverged, accuracy
from .optimizers import SGD, SGDW, Adam, AdamW, Optimizer
from .source import show_source
from .training import EarlyStopping, cosine_decay, step_decay, train
from . import data

__version__ = "1.0.0"

__all__ = [
    "Layer", "Dense", "Dropout", "Activation", "Tanh", "Sigmoid", "ReLU",
    "Softmax",
    "Loss", "MSE", "BinaryCrossEntropy", "CategoricalCrossEntropy",
    "Optimizer", "SGD", "Adam", "SGDW", "AdamW", "Network",
    "TrainingDiverged", "accuracy", "EarlyStopping", "cosine_decay",
    "step_decay", "train", "move", "shift_images",
    "check_gradients", "check_loss_gradient", "numerical_gradient",
    "show_source", "data",
]
