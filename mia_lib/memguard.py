"""MemGuard (Jia et al. 2019): crafted noise on the confidence vector that fools a
membership classifier and never changes the predicted label.

The service owner (the *defender*) runs it on every answer, in two phases:

* **Phase I** (:meth:`MemGuard.perturb`). The defender trains its own member/non-member
  classifier :math:`g` on the target's outputs (sorted, so that it ignores the class) for its
  members and some non-members. For a query with posteriors :math:`p` and logits :math:`z`,
  it then searches logits :math:`z'` whose softmax keeps the predicted label and pushes
  :math:`g` across 0.5 (to the other side of its decision), minimising

  .. math:: c_1\\,|g_{\\text{logit}}(z')| + c_2\\,\\max(0, \\max_{j \\ne y} z'_j - z'_y)
            + c_3\\,\\lVert \\operatorname{softmax}(z') - p \\rVert_1

  by normalised gradient steps, for :math:`c_3 = 0.1, 1, 10, \\dots` as long as a solution
  is found (a larger :math:`c_3` keeps the noise smaller); the last solution found is kept.
  A query where no :math:`c_3` works, or where :math:`g` is already at 0.5, gets no noise.
* **Phase II** (:meth:`MemGuard.release_probability`, applied by calling the transform). The
  noise is released with probability :math:`\\min(\\varepsilon / \\lVert p' - p \\rVert_1, 1)`
  for a confidence-distortion budget :math:`\\varepsilon` (``budget``), and never when it
  does not move :math:`g` towards 0.5.

This follows the official code (jinyuan-jia/MemGuard): the same loss, step size 0.1 on
L2-normalised gradients, at most 300 steps per :math:`c_3`, :math:`c_3` from 0.1 up to
1e5, and a defender network of 256, 128 and 64 ReLU units over the sorted posteriors. The
logits are taken as :math:`\\log p` (the softmax is the same). All queries are optimised
together as one batch, which gives the same result as one at a time.

A fitted :class:`MemGuard` is an output transform of :class:`mia_lib.query.BlackBox`:

>>> import numpy as np
>>> from mia_lib.query import BlackBox
>>> from sklearn.datasets import load_digits
>>> from sklearn.linear_model import LogisticRegression
>>> X, y = load_digits(return_X_y=True); X = X / 16
>>> target = LogisticRegression(C=100, max_iter=2000).fit(X[:300], y[:300])
>>> P = target.predict_proba(X[:600]); member = np.r_[np.ones(300), np.zeros(300)]
>>> guard = MemGuard(budget=1.0, random_state=0).fit(P, member)
>>> P2 = guard.perturb(P)
>>> bool(np.all(P2.argmax(1) == P.argmax(1)))      # the label never changes
True
>>> released = BlackBox(target, transforms=[guard]).query(X[:600])
>>> bool(np.all(released.argmax(1) == P.argmax(1)))
True
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ._validation import (
    check_finite_number,
    check_membership,
    check_positive_int,
    check_same_length,
)
from .seeding import generator, int_seed, spawn
from .threads import limit_threads

__all__ = ["MemGuard", "defender_model", "MAX_ITER"]

#: Posteriors are clipped to this before taking their logarithm (the logits).
EPS = 1e-12
#: Gradient steps per value of c3 in the official code.
MAX_ITER = 300


def defender_model(random_state=None):
    """The defender's membership classifier of the official code: 256, 128 and 64 ReLU
    units, trained on sorted posteriors (Adam here, 400 epochs as in the official code)."""
    from .models import TorchMLPClassifier

    return TorchMLPClassifier(
        hidden_layer_sizes=(256, 128, 64),
        activation="relu",
        epochs=400,
        learning_rate=1e-3,
        batch_size=64,
        n_classes=2,
        random_state=random_state,
    )


def _sorted_desc(P: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(-P, axis=1, kind="stable")
    return np.take_along_axis(P, order, axis=1), order


def _check_posteriors(P, n_classes=None, name: str = "posteriors") -> np.ndarray:
    from ._validation import check_probabilities

    P = check_probabilities(P, name=name)
    if n_classes is not None and P.shape[1] != n_classes:
        raise ValueError(
            f"{name} have {P.shape[1]} columns but MemGuard was fitted on {n_classes}."
        )
    return P


class MemGuard(BaseEstimator):
    """MemGuard's noise as an output transform (see the module docstring).

    Parameters
    ----------
    budget : the confidence-distortion budget :math:`\\varepsilon` (mean L1 change of the
        released vectors allowed), finite and >= 0; 0 releases every vector unchanged.
    defender : unfitted classifier over sorted posteriors with a torch network ``model_``
        (two logits); ``None`` uses :func:`defender_model`.
    max_iter : gradient steps per value of :math:`c_3` (official: 300).
    step : length of each normalised gradient step on the logits (official: 0.1).
    c1, c2 : weights of the membership and label-keeping terms (official: 1 and 10).
    c3_start, c3_max : first and largest weight of the L1 term (official: 0.1 and 1e5).
    random_state : seeds the defender's training and the Phase II coin.

    Attributes
    ----------
    defender_ : the fitted membership classifier of the defender.
    n_classes_ : width of the posterior vectors.
    defender_accuracy_ : its accuracy on the records it was trained on.
    found_ : after :meth:`perturb`, which of its rows got noise (the others are released
        unchanged: the search found no vector that keeps the label and crosses 0.5 within
        ``max_iter`` steps, or the defender was already at 0.5).
    """

    normalised = True

    def __init__(
        self,
        budget: float = 1.0,
        defender=None,
        max_iter: int = MAX_ITER,
        step: float = 0.1,
        c1: float = 1.0,
        c2: float = 10.0,
        c3_start: float = 0.1,
        c3_max: float = 1e5,
        random_state=None,
    ):
        self.budget = budget
        self.defender = defender
        self.max_iter = max_iter
        self.step = step
        self.c1 = c1
        self.c2 = c2
        self.c3_start = c3_start
        self.c3_max = c3_max
        self.random_state = random_state

    def _check_params(self) -> None:
        check_finite_number(self.budget, "budget", low=0.0)
        check_positive_int(self.max_iter, "max_iter")
        for name in ("step", "c1", "c2", "c3_start", "c3_max"):
            value = getattr(self, name)
            check_finite_number(value, name, low=0.0, low_open=True)
        if self.c3_max < self.c3_start:
            raise ValueError(f"c3_max ({self.c3_max}) must be >= c3_start ({self.c3_start}).")
        if self.defender is not None and (
            isinstance(self.defender, type) or not hasattr(self.defender, "fit")
        ):
            raise TypeError(
                "defender must be an unfitted classifier instance such as defender_model(), "
                f"got {self.defender!r}."
            )

    def fit(self, X, y):
        """Train the defender's classifier on posteriors ``X`` of its members and non-members
        (membership ``y``: 1 = a training record of the target)."""
        from sklearn.base import clone

        self._check_params()
        P = _check_posteriors(X)
        y = check_membership(y, name="y (membership)")
        check_same_length(posteriors=P, membership=y)
        if not 0 < y.sum() < len(y):
            raise ValueError("MemGuard's defender needs both members (1) and non-members (0).")
        model_seq, coin_seq = spawn(self.random_state, 2)
        est = defender_model() if self.defender is None else clone(self.defender)
        if "random_state" in est.get_params():
            est.set_params(random_state=int_seed(model_seq))
        S, _ = _sorted_desc(P)
        with limit_threads():
            est.fit(S.astype(np.float32), y)
        if not isinstance(getattr(est, "model_", None), torch.nn.Module):
            raise TypeError(
                "the defender must be a torch classifier with a fitted network model_ "
                f"(such as defender_model()), got {type(est).__name__}."
            )
        self.defender_ = est
        self.n_classes_ = P.shape[1]
        self.n_features_in_ = P.shape[1]
        self.defender_accuracy_ = float(np.mean(est.predict(S.astype(np.float32)) == y))
        self._coin = generator(coin_seq)
        return self

    # ------------------------------------------------------------------ the defender's view

    def _g_logit(self, z: torch.Tensor) -> torch.Tensor:
        """The defender's membership logit of sorted logits ``z`` (differentiable)."""
        out = self.defender_.model_(torch.softmax(z, dim=1))
        return out[:, 1] - out[:, 0]

    def membership_score(self, X) -> np.ndarray:
        """The defender's probability that each posterior vector is a member's."""
        check_is_fitted(self, "defender_")
        S, _ = _sorted_desc(_check_posteriors(X, self.n_classes_))
        with torch.no_grad(), limit_threads():
            g = self._g_logit(torch.log(torch.as_tensor(np.clip(S, EPS, 1.0), dtype=torch.float32)))
        return torch.sigmoid(g).numpy().astype(np.float64)

    def gradient_norm(self, X) -> np.ndarray:
        """The L2 norm of the gradient of the defender's membership logit with respect to
        each query's (sorted) logits: the direction Phase I follows. Near zero where the
        defender scores a whole region of vectors alike (a plateau the search cannot
        leave)."""
        check_is_fitted(self, "defender_")
        S, _ = _sorted_desc(_check_posteriors(X, self.n_classes_))
        z = torch.log(torch.as_tensor(np.clip(S, EPS, 1.0), dtype=torch.float32))
        with limit_threads():
            z.requires_grad_(True)
            (grad,) = torch.autograd.grad(self._g_logit(z).sum(), z)
        return grad.norm(dim=1).double().numpy()

    # --------------------------------------------------------------------------- Phase I

    def perturb(self, X) -> np.ndarray:
        """Phase I: the noised posteriors (same label, defender pushed across 0.5), or the
        original vector where no such noise was found."""
        check_is_fitted(self, "defender_")
        P = _check_posteriors(X, self.n_classes_)
        S, order = _sorted_desc(P)
        with limit_threads():
            Z, found = self._search(
                torch.log(torch.as_tensor(np.clip(S, EPS, 1.0), dtype=torch.float32))
            )
        out_sorted = torch.softmax(Z, dim=1).double().numpy()
        out_sorted /= out_sorted.sum(axis=1, keepdims=True)
        out = np.empty_like(out_sorted)
        np.put_along_axis(out, order, out_sorted, axis=1)
        found = found.numpy()
        out[~found] = P[~found]  # rows without noise are released exactly as they were
        self.found_ = found  # which rows of the last call got noise (a diagnostic)
        return out

    def _search(self, z0: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        net = self.defender_.model_
        net.eval()
        for p in net.parameters():
            p.requires_grad_(False)
        p0 = torch.softmax(z0, dim=1)
        with torch.no_grad():
            g0 = self._g_logit(z0)
        result = z0.clone()
        found = torch.zeros(len(z0), dtype=torch.bool)
        # rows already at 0.5 need no noise; the others are searched, c3 growing tenfold
        active = (torch.sigmoid(g0) - 0.5).abs() > 1e-5
        c3 = float(self.c3_start)
        while bool(active.any()) and c3 <= self.c3_max:
            idx = torch.nonzero(active).flatten()
            z, ok = self._descend(z0[idx], p0[idx], g0[idx], c3)
            result[idx[ok]] = z[ok]
            found[idx[ok]] = True
            active[idx[~ok]] = False  # failed: keep the last solution (none if first)
            c3 *= 10.0
        return result, found

    def _descend(self, z0, p0, g0, c3):
        """Normalised gradient steps from ``z0`` until each row keeps its label (position 0)
        and has crossed the defender's 0.5; returns the logits and which rows succeeded."""
        z = z0.clone()
        moving = torch.ones(len(z), dtype=torch.bool)
        side = torch.sign(g0)

        def done(zz):
            with torch.no_grad():
                keep = zz.argmax(dim=1) == 0
                crossed = self._g_logit(zz) * side <= 0
            return keep & crossed

        for _ in range(1, int(self.max_iter)):
            if not bool(moving.any()):
                break
            zm = z[moving].clone().requires_grad_(True)
            loss = (
                self.c1 * self._g_logit(zm).abs()
                + self.c2 * torch.relu(zm[:, 1:].max(dim=1).values - zm[:, 0])
                + c3 * (torch.softmax(zm, dim=1) - p0[moving]).abs().sum(dim=1)
            ).sum()
            (grad,) = torch.autograd.grad(loss, zm)
            norm = grad.norm(dim=1, keepdim=True).clamp_min(1e-12)
            with torch.no_grad():
                z[moving] = zm.detach() - float(self.step) * grad / norm
            moving = moving & ~done(z)
        return z, done(z)

    # -------------------------------------------------------------------------- Phase II

    def release_probability(self, X, perturbed=None, budget=None) -> np.ndarray:
        """Phase II: the probability of releasing the noised vector instead of the original,
        :math:`\\min(\\varepsilon / \\lVert p' - p \\rVert_1, 1)`, and 0 where the noise
        does not bring the defender closer to 0.5 (or there is no noise)."""
        check_is_fitted(self, "defender_")
        P = _check_posteriors(X, self.n_classes_)
        if perturbed is None:
            noised = self.perturb(P)
        else:
            noised = _check_posteriors(perturbed, P.shape[1], name="perturbed")
            check_same_length(posteriors=P, perturbed=noised)
        eps = check_finite_number(self.budget if budget is None else budget, "budget", low=0.0)
        dist = np.abs(noised - P).sum(axis=1)
        closer = np.abs(self.membership_score(noised) - 0.5) < np.abs(
            self.membership_score(P) - 0.5
        )
        prob = np.minimum(np.divide(eps, dist, out=np.zeros_like(dist), where=dist > 0), 1.0)
        return np.where(closer & (dist > 0), prob, 0.0)

    def __call__(self, P):
        """Release each vector noised with its Phase II probability (a random draw)."""
        P = _check_posteriors(P, getattr(self, "n_classes_", None))
        noised = self.perturb(P)
        prob = self.release_probability(P, noised)
        use = self._coin.random(len(P)) < prob
        return np.where(use[:, None], noised, P)

    def __repr__(self):
        return f"MemGuard(budget={self.budget!r})"
