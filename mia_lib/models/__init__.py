"""Target and shadow models: scikit-learn compatible torch estimators and a zoo by name.

Everything here follows the scikit-learn estimator conventions, so the rest of the library
(and the reader) can treat a torch network exactly like a ``LogisticRegression``.

* :class:`TorchMLPClassifier` (:mod:`~mia_lib.models.mlp`): fully connected network
  (Shokri et al.'s Purchase and Locations model is one hidden layer of 128 ``tanh`` units).
* :class:`TorchCNNClassifier` (:mod:`~mia_lib.models.cnn`): two convolution + max-pooling
  layers, a dense layer of 128 units and a softmax (Shokri et al.'s CIFAR model).
* :class:`TorchClassifierBase` (:mod:`~mia_lib.models.base`): their shared training loop,
  validation and prediction, and the parameter checks.
* :func:`train_many` (:mod:`~mia_lib.models.batched`): many copies of a template MLP trained
  at once as one batched tensor program (:mod:`~mia_lib.models.stacked`).
* :class:`DisjointStackingClassifier` (:mod:`~mia_lib.models.stacking`): Salem et al.'s
  model stacking, first- and second-level models on disjoint parts of the training set (a
  training-side defence).
* :func:`make_model` and :data:`MODEL_NAMES` (:mod:`~mia_lib.models.zoo`): the
  scikit-learn zoo by name.
* :class:`DCGAN` (:mod:`~mia_lib.models.gan`): a small generative adversarial network for
  28 x 28 and 32 x 32 images, the target of the LOGAN attacks (:mod:`mia_lib.gan_attacks`).

DP-SGD is a parameter of the torch classifiers (``dp_epsilon``; :mod:`~mia_lib.models.private`).

:mod:`~mia_lib.models.training` holds the pieces one-by-one and batched training share.
Posteriors with a column for every class (:func:`mia_lib.query.full_proba`) belong to the
query layer.

>>> from mia_lib.models import make_model
>>> make_model("mlp", hidden_layer_sizes=(32,)).hidden_layer_sizes
(32,)
"""

from .base import TorchClassifierBase
from .batched import train_many
from .cnn import TorchCNNClassifier
from .gan import DCGAN
from .mlp import TorchMLPClassifier
from .stacking import DisjointStackingClassifier
from .zoo import MODEL_NAMES, make_model

__all__ = [
    "DCGAN",
    "MODEL_NAMES",
    "DisjointStackingClassifier",
    "TorchCNNClassifier",
    "TorchClassifierBase",
    "TorchMLPClassifier",
    "make_model",
    "train_many",
]
