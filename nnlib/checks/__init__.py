"""Exercise checkers: pass your function or class, read the verdict.

Each checker prints one line, a ✓ when every case passes or a ✗ naming the
first failing case (its input, the expected and the received value or
shape), and returns True or False.
"""

from .plan import *  # noqa: F401,F403  (one module of checkers per chapter)
from .base_layer import *  # noqa: F401,F403
from .dense_layer import *  # noqa: F401,F403
from .activation_layer import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .mnist import *  # noqa: F401,F403
from .xor import *  # noqa: F401,F403
from .moons import *  # noqa: F401,F403
from .network_class import *  # noqa: F401,F403
from .training_better import *  # noqa: F401,F403
from .keras import *  # noqa: F401,F403
from .regularisation import *  # noqa: F401,F403
