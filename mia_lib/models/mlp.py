"""A fully connected network trained with PyTorch, usable like a scikit-learn classifier."""

from __future__ import annotations

import numpy as np
from torch import nn

from .base import (
    TorchClassifierBase,
    as_features,
    check_hidden_sizes,
    check_training_params,
)
from .training import SeededDropout, activation_module

__all__ = ["TorchMLPClassifier"]


class TorchMLPClassifier(TorchClassifierBase):
    """Fully connected network trained with PyTorch, usable like a scikit-learn classifier.

    The default (one hidden layer of 128 ``tanh`` units, Adam, learning rate 1e-3) is the
    model Shokri et al. (2017) used for Purchase and Locations.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int
        Units of each hidden layer.
    activation : {"tanh", "relu", "logistic", "identity"}
        Non-linearity after each hidden layer.
    epochs : int
        Passes over the training data (the maximum, with ``early_stopping``).
    learning_rate : float
        Step size of the optimiser (finite and positive).
    batch_size : int
        Records per mini-batch (capped at the training set size).
    weight_decay : float
        L2 penalty added to the gradient (``torch.optim`` semantics), a classic
        membership-inference defence.
    dropout : float
        Probability of dropping each hidden unit during training (another defence).
    optimizer : {"adam", "sgd"}
        Adam (betas 0.9, 0.999) or SGD with momentum 0.9.
    early_stopping : bool
        Hold out ``validation_fraction`` of the training data, stop when the validation loss
        has not improved for ``patience`` epochs, and restore the best weights.
    validation_fraction, patience
        See ``early_stopping``.
    dp_epsilon : float or None
        ``None``: ordinary training. A number: train with DP-SGD
        (:mod:`mia_lib.models.private`: Poisson batches, each record's gradient clipped to
        ``max_grad_norm``, Gaussian noise) so that the model is
        ``(dp_epsilon, dp_delta)``-differentially private over its ``epochs``.
    dp_delta : float
        The δ of the guarantee; must be below ``1/n`` for ``n`` training records.
    max_grad_norm : float
        The L2 norm each record's gradient is clipped to (DP-SGD only).
    dp_accountant : {"prv", "rdp", "gdp"}
        The privacy accountant that sets the noise and ``epsilon_`` (Opacus's; ``"prv"`` is
        its default and the tightest, ``"rdp"`` what older papers report).
    n_classes : int or None
        ``None``: the classes are the labels seen in ``y`` (``classes_ = np.unique(y)``, any
        labels, strings included), as in scikit-learn. An int ``K``: labels must be integers
        ``0..K-1``, ``classes_ = arange(K)`` and the model always outputs ``K`` posterior
        columns, even for classes missing from ``y`` (shadow models on small subsets).
    random_state : None, int, Generator, RandomState or SeedSequence
        Seeds weight initialisation, the validation split and shuffling; dropout masks come
        from an independent child stream (:func:`mia_lib.seeding.child_seed`). Private
        torch generators are used: the global torch random state is left alone.
    verbose : bool
        Show a progress bar over epochs.
    device : str
        Torch device, e.g. ``"cpu"`` or ``"cuda"``; ``"auto"``: ``"cuda"`` when torch sees a
        GPU, else ``"cpu"`` (resolved at ``fit``, see ``device_``).

    Attributes
    ----------
    classes_ : ndarray, the labels in the order of the posterior columns
    n_classes_, n_features_in_ : int
    model_ : torch.nn.Sequential, the trained network (in eval mode)
    device_ : str, the device it was trained on and predicts on (``device`` resolved)
    loss_curve_ : list of float, mean training loss of each epoch
    n_epochs_, n_steps_ : int, epochs run and optimiser steps taken
    epsilon_ : float or None, the ε spent by the steps taken (DP-SGD only; at most
        ``dp_epsilon``, less with early stopping)
    noise_multiplier_ : float or None, the noise standard deviation over ``max_grad_norm``
    validation_loss_curve_, best_epoch_ : with ``early_stopping``, else None

    Training that diverges (a non-finite loss) raises ``FloatingPointError`` naming the
    epoch, instead of leaving a model that predicts NaN.

    See also
    --------
    mia_lib.models.train_many : many of these models (shadow models) trained at once,
        several times faster.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 4)).astype("float32")
    >>> y = (X[:, 0] > 0).astype(int)
    >>> clf = TorchMLPClassifier(hidden_layer_sizes=(8,), epochs=50, learning_rate=0.05,
    ...                          batch_size=16, n_classes=3, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape          # a column for class 2 though unseen
    (2, 3)
    >>> bool(clf.score(X, y) > 0.9)
    True
    >>> named = TorchMLPClassifier(hidden_layer_sizes=(8,), epochs=50, learning_rate=0.05,
    ...                            random_state=0).fit(X, np.where(y, "up", "down"))
    >>> named.classes_.tolist(), named.predict(X[:3]).tolist()
    (['down', 'up'], ['up', 'down', 'down'])
    """

    def __init__(
        self,
        hidden_layer_sizes=(128,),
        activation="tanh",
        epochs=100,
        learning_rate=1e-3,
        batch_size=64,
        weight_decay=0.0,
        dropout=0.0,
        optimizer="adam",
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        dp_epsilon=None,
        dp_delta=1e-5,
        max_grad_norm=1.0,
        dp_accountant="prv",
        n_classes=None,
        random_state=None,
        verbose=False,
        device="cpu",
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.dropout = dropout
        self.optimizer = optimizer
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.dp_epsilon = dp_epsilon
        self.dp_delta = dp_delta
        self.max_grad_norm = max_grad_norm
        self.dp_accountant = dp_accountant
        self.n_classes = n_classes
        self.random_state = random_state
        self.verbose = verbose
        self.device = device

    def _check_params(self) -> None:
        check_hidden_sizes(self.hidden_layer_sizes)
        check_training_params(self)

    def _prepare_X(self, X, reset: bool) -> np.ndarray:
        X = as_features(X)
        self._check_n_features(X, reset)
        return X

    def _build_network(self) -> nn.Sequential:
        layers: list[nn.Module] = []
        fan_in = self.n_features_in_
        for width in check_hidden_sizes(self.hidden_layer_sizes):
            layers += [nn.Linear(fan_in, width), activation_module(self.activation)]
            if self.dropout > 0:
                layers.append(SeededDropout(self.dropout))
            fan_in = width
        layers.append(nn.Linear(fan_in, self.n_classes_))
        return nn.Sequential(*layers)
