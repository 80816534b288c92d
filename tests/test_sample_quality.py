"""mia_lib.sample_quality (the Fréchet distance in a classifier's feature space) and the
torch classifiers' hidden_features."""

from __future__ import annotations

import numpy as np
import pytest

from mia_lib.models import TorchCNNClassifier, TorchMLPClassifier
from mia_lib.sample_quality import frechet_distance, frechet_feature_distance

pytestmark = pytest.mark.usefixtures("one_thread")


def test_frechet_distance_of_one_dimensional_gaussians_is_the_closed_form():
    rng = np.random.default_rng(0)
    a = rng.normal(1.0, 2.0, size=(200_000, 1))
    b = rng.normal(-0.5, 0.5, size=(200_000, 1))
    # W2 between N(m1, s1^2) and N(m2, s2^2): (m1 - m2)^2 + (s1 - s2)^2
    assert frechet_distance(a, b) == pytest.approx(1.5**2 + 1.5**2, rel=0.01)


def test_frechet_distance_is_symmetric_zero_on_itself_and_grows_with_a_shift():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(500, 4)), rng.normal(size=(400, 4)) @ np.diag([1, 2, 1, 1])
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    assert frechet_distance(a, b) == pytest.approx(frechet_distance(b, a), rel=1e-6)
    shift = np.array([3.0, 0, 0, 0])
    assert frechet_distance(a, a + shift) == pytest.approx(9.0, rel=1e-6)
    assert frechet_distance(a, b) > 0.5


@pytest.mark.parametrize(
    "A, B, match",
    [
        (np.zeros((5, 2)), np.zeros((5, 3)), "same features"),
        (np.zeros((1, 2)), np.zeros((5, 2)), "at least 2 rows"),
        (np.full((5, 2), np.nan), np.zeros((5, 2)), "NaN|finite|infinity"),
    ],
)
def test_frechet_distance_refuses_bad_input(A, B, match):
    with pytest.raises(ValueError, match=match):
        frechet_distance(A, B)


def test_hidden_features_are_the_network_without_its_output_layer():
    rng = np.random.default_rng(0)
    X = rng.random((40, 6)).astype("float32")
    y = (X[:, 0] > 0.5).astype(int)
    mlp = TorchMLPClassifier(hidden_layer_sizes=(7, 5), epochs=2, random_state=0).fit(X, y)
    H = mlp.hidden_features(X)
    assert H.shape == (40, 5) and H.dtype == np.float64
    out = mlp.model_[-1]
    logits = H @ out.weight.detach().double().numpy().T + out.bias.detach().double().numpy()
    np.testing.assert_allclose(logits, mlp.predict_logits(X), atol=1e-5)
    images = rng.random((12, 1, 8, 8)).astype("float32")
    cnn = TorchCNNClassifier(
        conv_channels=(3,), kernel_size=3, hidden_units=4, epochs=1, random_state=0
    ).fit(images, np.arange(12) % 2)
    assert cnn.hidden_features(images).shape == (12, 4)


def test_frechet_feature_distance_orders_real_and_noise_images():
    rng = np.random.default_rng(0)
    X = rng.random((200, 1, 8, 8)).astype("float32")
    y = np.arange(200) % 2
    X[y == 1, :, :4] += 0.5
    X = X / X.max()
    cnn = TorchCNNClassifier(
        conv_channels=(4,),
        kernel_size=3,
        hidden_units=8,
        epochs=5,
        learning_rate=0.01,
        random_state=0,
    ).fit(X[:100], y[:100])
    same = frechet_feature_distance(cnn, X[100:150], X[150:])
    noise = frechet_feature_distance(cnn, X[100:150], np.zeros_like(X[150:]))
    assert 0 <= same < noise
    with pytest.raises(TypeError, match="fitted TorchCNNClassifier"):
        frechet_feature_distance(object(), X, X)
