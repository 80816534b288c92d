"""Membership inference against generative models: Hayes et al.'s LOGAN attacks (2019).

The attacker holds ``N`` candidate records, of which ``n`` trained the target GAN, and
ranks them: the ``n`` ranked highest are called members, and the attack's **top-n
accuracy** (:func:`top_n_accuracy`) is the share of members among them. Guessing gives
``n / N`` on average.

* :class:`WhiteBoxGANAttack`: the attacker holds the target's discriminator and ranks by
  its output (the logit: the same order as the probability, without its saturation). A discriminator that overfits its training images scores them higher than
  other images of the same kind.
* :class:`BlackBoxGANAttack`: the attacker only sees images the target's generator
  releases. It trains a GAN of its own on them (a :class:`~mia_lib.models.DCGAN`), and
  ranks by its own discriminator. The generator's samples resemble its training images
  most, so the attacker's discriminator learns to score those highest.
* :class:`AuxiliaryGANAttack`: the black-box attacker who also knows some records that
  were not members (part of the test set), and perhaps some that were (part of the
  training set). It trains a classifier to tell the generator's samples (and the known
  members) from the known non-members, and ranks by it. This is our reading of Hayes et
  al.'s black-box attack "with limited auxiliary knowledge" (the survey: knowledge of
  20-30% of the training or test set); the paper's exact procedure is not reproduced.

Both follow the estimator conventions of the library's attacks: ``fit`` returns ``self``,
fitted attributes end in ``_``, ``score_samples(X)`` gives one score per candidate (higher:
more likely a member) and ``predict(X, n_members)`` marks the top ``n_members``.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from ._validation import check_positive_int
from .models.base import as_features
from .models.cnn import TorchCNNClassifier
from .models.gan import DCGAN
from .scoring import membership_and_scores
from .seeding import int_seed, spawn

__all__ = ["AuxiliaryGANAttack", "BlackBoxGANAttack", "WhiteBoxGANAttack", "top_n_accuracy"]


def top_n_accuracy(membership, scores, n: int | None = None) -> float:
    """The share of members among the ``n`` records of highest score (``n`` defaults to
    the number of members); guessing gives ``n_members / N`` on average. Ties at the
    cut-off count by their share.

    >>> top_n_accuracy([1, 0, 1, 0, 0], [0.9, 0.8, 0.7, 0.1, 0.0])
    0.5
    """
    m, s = membership_and_scores(membership, scores)
    n = int(m.sum()) if n is None else check_positive_int(n, "n")
    if not 1 <= n <= len(m):
        raise ValueError(f"n must be between 1 and the number of records {len(m)}, got {n}.")
    order = np.argsort(-s, kind="stable")
    cut = s[order[n - 1]]
    above = s > cut
    tied = s == cut
    hits = m[above].sum() + (n - above.sum()) * m[tied].mean()
    return float(hits / n)


def _check_gan(gan) -> None:
    if not isinstance(gan, DCGAN):
        raise TypeError(f"the target must be a fitted DCGAN, got {type(gan).__name__}.")
    check_is_fitted(gan, "discriminator_")


class _RankingAttack(BaseEstimator):
    def predict(self, X, n_members: int) -> np.ndarray:
        """1 for the ``n_members`` candidates of highest score, 0 for the others."""
        s = self.score_samples(X)
        n = check_positive_int(n_members, "n_members")
        if n > len(s):
            raise ValueError(f"n_members={n} exceeds the {len(s)} candidates.")
        out = np.zeros(len(s), dtype=int)
        out[np.argsort(-s, kind="stable")[:n]] = 1
        return out


class WhiteBoxGANAttack(_RankingAttack):
    """Rank candidates by the target GAN's own discriminator (Hayes et al.'s white-box
    attack).

    >>> X = np.random.default_rng(0).random((64, 28, 28), dtype=np.float32)
    >>> gan = DCGAN(width=8, latent_dim=16, epochs=1, random_state=0).fit(X[:32])
    >>> WhiteBoxGANAttack().fit(gan).score_samples(X).shape
    (64,)
    """

    def fit(self, target, y=None):
        """Hold the fitted target GAN ``target`` (its discriminator is the attack)."""
        _check_gan(target)
        self.target_ = target
        return self

    def score_samples(self, X) -> np.ndarray:
        """The target discriminator's logit that each candidate is real."""
        check_is_fitted(self, "target_")
        return self.target_.discriminate(X, logits=True)


class BlackBoxGANAttack(_RankingAttack):
    """Train a GAN on the target generator's samples and rank candidates by its
    discriminator (Hayes et al.'s black-box attack without auxiliary knowledge).

    Parameters
    ----------
    n_samples : int
        Images drawn from the target's generator (the attacker's training set).
    gan : DCGAN or None
        The attacker's GAN, cloned before training (default: a :class:`DCGAN` with its
        defaults).
    random_state : None, int, Generator, RandomState or SeedSequence
        Seeds the samples drawn and the attacker's GAN.

    >>> X = np.random.default_rng(0).random((64, 28, 28), dtype=np.float32)
    >>> target = DCGAN(width=8, latent_dim=16, epochs=1, random_state=0).fit(X[:32])
    >>> attacker = DCGAN(width=8, latent_dim=16, epochs=1)
    >>> bb = BlackBoxGANAttack(n_samples=64, gan=attacker, random_state=0).fit(target)
    >>> bb.score_samples(X).shape
    (64,)
    """

    def __init__(self, n_samples: int = 10_000, gan=None, random_state=None):
        self.n_samples = n_samples
        self.gan = gan
        self.random_state = random_state

    def fit(self, target, y=None):
        """Draw ``n_samples`` images from ``target`` and train the attacker's GAN on them."""
        _check_gan(target)
        n = check_positive_int(self.n_samples, "n_samples", minimum=2)
        if self.gan is not None and not isinstance(self.gan, DCGAN):
            raise TypeError(f"gan must be a DCGAN or None, got {type(self.gan).__name__}.")
        sample_seq, gan_seq = spawn(self.random_state, 2)
        self.samples_ = target.sample(n, random_state=int_seed(sample_seq))
        gan = clone(self.gan) if self.gan is not None else DCGAN()
        self.gan_ = gan.set_params(random_state=int_seed(gan_seq)).fit(self.samples_)
        return self

    def score_samples(self, X) -> np.ndarray:
        """The attacker discriminator's logit that each candidate is real."""
        check_is_fitted(self, "gan_")
        return self.gan_.discriminate(X, logits=True)


class AuxiliaryGANAttack(_RankingAttack):
    """The black-box attack with auxiliary knowledge: a classifier trained to tell the
    target generator's samples (label 1), with any records known to be members, from
    records known not to be members (label 0); candidates are ranked by its logit.

    The generator's samples stand in for the training set, and the known non-members
    show the classifier what the same kind of image looks like when the target did not
    train on it; known members add real training images to the positive side.

    Parameters
    ----------
    n_samples : int
        Images drawn from the target's generator.
    classifier : estimator or None
        A binary classifier with ``fit(X, y)`` and ``predict_proba``, cloned before
        training (default: :class:`~mia_lib.models.TorchCNNClassifier` for 10 epochs).
    random_state : None, int, Generator, RandomState or SeedSequence
        Seeds the samples drawn and the classifier.

    Attributes
    ----------
    samples_ : array (n_samples, channels, height, width)
        The images drawn from the target's generator.
    n_members_known_, n_nonmembers_known_ : int
        How many known members and known non-members the classifier was trained on.
    classifier_ : estimator
        The fitted classifier.

    >>> X = np.random.default_rng(0).random((64, 28, 28), dtype=np.float32)
    >>> target = DCGAN(width=8, latent_dim=16, epochs=1, random_state=0).fit(X[:32])
    >>> clf = TorchCNNClassifier(conv_channels=(4,), hidden_units=8, epochs=1)
    >>> aux = AuxiliaryGANAttack(n_samples=64, classifier=clf, random_state=0)
    >>> aux.fit(target, X_nonmembers=X[48:], X_members=X[:8]).score_samples(X).shape
    (64,)
    >>> aux.n_members_known_, aux.n_nonmembers_known_
    (8, 16)
    """

    def __init__(self, n_samples: int = 10_000, classifier=None, random_state=None):
        self.n_samples = n_samples
        self.classifier = classifier
        self.random_state = random_state

    @staticmethod
    def _known(X, target, name: str) -> np.ndarray:
        if len(np.shape(X)) == 0 or np.shape(X)[0] == 0:
            X = np.zeros((0,))
        else:
            X = as_features(X, allow_nd=True)
        if X.ndim == 3:
            X = X[:, None]
        if X.shape[1:] != target.image_shape_ or len(X) == 0:
            raise ValueError(
                f"{name} must hold at least one image of the target's shape "
                f"{target.image_shape_}; got shape {X.shape}."
            )
        return X.astype(np.float32, copy=False)

    def fit(self, target, X_nonmembers, X_members=None):
        """Draw ``n_samples`` images from ``target`` and train the classifier: the
        samples and ``X_members`` (known members, optional) against ``X_nonmembers``."""
        _check_gan(target)
        n = check_positive_int(self.n_samples, "n_samples")
        out = self._known(X_nonmembers, target, "X_nonmembers")
        sample_seq, clf_seq = spawn(self.random_state, 2)
        self.samples_ = target.sample(n, random_state=int_seed(sample_seq))
        known_in = [] if X_members is None else [self._known(X_members, target, "X_members")]
        self.n_members_known_ = sum(map(len, known_in))
        self.n_nonmembers_known_ = len(out)
        X = np.concatenate([self.samples_, *known_in, out])
        y = np.r_[np.ones(len(X) - len(out), dtype=int), np.zeros(len(out), dtype=int)]
        if self.classifier is None:
            clf = TorchCNNClassifier(epochs=10)
        elif hasattr(self.classifier, "fit") and hasattr(self.classifier, "predict_proba"):
            clf = clone(self.classifier)
        else:
            raise TypeError(
                "classifier must be an estimator with fit and predict_proba, got "
                f"{type(self.classifier).__name__}."
            )
        if "random_state" in clf.get_params():
            clf.set_params(random_state=int_seed(clf_seq))
        self.classifier_ = clf.fit(X, y)
        return self

    def score_samples(self, X) -> np.ndarray:
        """The classifier's logit ``log p(1) - log p(0)`` that each candidate is like the
        generator's samples rather than like the known non-members (from its logits
        where it has ``predict_logits``, which do not saturate)."""
        check_is_fitted(self, "classifier_")
        if hasattr(self.classifier_, "predict_logits"):
            z = np.asarray(self.classifier_.predict_logits(X), dtype=np.float64)
            return z[:, 1] - z[:, 0]
        proba = np.asarray(self.classifier_.predict_proba(X), dtype=np.float64)
        tiny = np.finfo(np.float64).tiny
        return np.log(np.maximum(proba[:, 1], tiny)) - np.log(np.maximum(proba[:, 0], tiny))
