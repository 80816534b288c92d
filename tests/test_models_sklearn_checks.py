"""scikit-learn's estimator checks (``sklearn.utils.estimator_checks``) on the torch models.

Small, fast settings: a few epochs of a small network; the learning rate is raised so that
``check_classifiers_train`` (accuracy above 0.83 on easy problems) holds after 5 epochs. The
checks feed flat 2-D data with any number of features, so the CNN is checked without
convolution layers (``conv_channels=()``: flat records are then 1 x 1 x d images); its
convolution path is checked on images in ``test_models.py::test_cnn_conventions_on_images``.
The MLP is checked a second time training with DP-SGD (``dp_epsilon``; the RDP accountant,
which finds the noise in milliseconds, and a large ε so that the accuracy checks hold).
"""

from __future__ import annotations

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from mia_lib.models import TorchCNNClassifier, TorchMLPClassifier

pytestmark = pytest.mark.usefixtures("one_thread")

FAST = dict(epochs=5, learning_rate=0.05, batch_size=16)
ESTIMATORS = [
    TorchMLPClassifier(hidden_layer_sizes=(16,), **FAST),
    TorchCNNClassifier(conv_channels=(), hidden_units=16, **FAST),
    TorchMLPClassifier(hidden_layer_sizes=(16,), dp_epsilon=50.0, dp_accountant="rdp", **FAST),
]

# Checks that cannot hold, with the reason (none at present: an empty dict per estimator).
# ``check_array_api_input`` is skipped by scikit-learn itself unless SCIPY_ARRAY_API is set.
EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {
    "TorchMLPClassifier": {},
    "TorchCNNClassifier": {},
}
EXPECTED_FAILED_CHECKS_DP: dict[str, str] = {}


def expected_failed_checks(estimator) -> dict[str, str]:
    if getattr(estimator, "dp_epsilon", None) is not None:
        return EXPECTED_FAILED_CHECKS_DP
    return EXPECTED_FAILED_CHECKS[type(estimator).__name__]


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
