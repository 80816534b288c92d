"""mia_lib.parallel: the same models wherever they are trained (in this process, in loky
processes, on a Dask LocalCluster on 127.0.0.1), clear errors, the replicate command's
--backend recorded in provenance, and device="auto"."""

from __future__ import annotations

import json
import signal

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier

from mia_lib import parallel
from mia_lib.__main__ import main
from mia_lib.experiments import result_path, run_experiment
from mia_lib.models import TorchMLPClassifier, make_model, train_many
from mia_lib.parallel import backend_info, train_models, use_backend

distributed = pytest.importorskip("distributed")

TIME_LIMIT_S = 60  # per test: a cluster that hangs fails the test instead of the run


@pytest.fixture(autouse=True)
def time_limit():
    def expired(signum, frame):
        raise TimeoutError(f"test_parallel: a test ran longer than {TIME_LIMIT_S} s")

    before = signal.signal(signal.SIGALRM, expired)
    signal.alarm(TIME_LIMIT_S)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, before)


@pytest.fixture(scope="module")
def cluster():
    """Two single-thread worker processes on 127.0.0.1, closed after the module."""
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        worker_dashboard_address=None,
    ) as local:
        yield local


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = (rng.random((500, 30)) < 0.2).astype(np.float32)
    y = rng.integers(4, size=500)
    subsets = [rng.choice(500, size=120, replace=False) for _ in range(5)]
    seeds = [11, 12, 13, 14, 15]
    return X, y, subsets, seeds


MLP = make_model("mlp", n_classes=4, hidden_layer_sizes=(16,), epochs=4, batch_size=32)
FOREST = RandomForestClassifier(n_estimators=5)
TEMPLATES = {"batched_mlp": MLP, "random_forest": FOREST}


def _probas(models, X):
    return [m.predict_proba(X[:50]) for m in models]


def _timeless(rows):
    return [{k: v for k, v in row.items() if k != "duration_s"} for row in rows]


def _same(a, b) -> bool:
    return len(a) == len(b) and all(np.array_equal(p, q) for p, q in zip(a, b, strict=True))


@pytest.fixture(scope="module")
def in_process(data):
    X, y, subsets, seeds = data
    return {
        name: _probas(train_models(t, X, y, subsets, seeds, chunk_size=2), X)
        for name, t in TEMPLATES.items()
    }


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_in_process_models_are_the_one_by_one_models(data, in_process, name):
    X, y, subsets, seeds = data
    one_by_one = [
        clone(TEMPLATES[name]).set_params(random_state=s).fit(X[i], y[i])
        for s, i in zip(seeds, subsets, strict=True)
    ]
    got = in_process[name]
    if name == "batched_mlp":  # batched: the same training, up to rounding
        assert all(
            np.allclose(p, q, atol=1e-5) for p, q in zip(got, _probas(one_by_one, X), strict=True)
        )
    else:
        assert _same(got, _probas(one_by_one, X))


def test_local_processes_give_the_same_models(data, in_process):
    X, y, subsets, seeds = data
    with use_backend("local", n_jobs=2) as info:
        assert (
            info
            == backend_info()
            == {
                "backend": "local",
                "scheduler": None,
                "n_jobs": 2,
                "n_workers": 2,
            }
        )
        for name, template in TEMPLATES.items():
            models = train_models(template, X, y, subsets, seeds, chunk_size=2)
            assert _same(_probas(models, X), in_process[name]), name
    assert backend_info()["backend"] == "sequential"


def test_dask_local_cluster_gives_the_same_models(cluster, data, in_process):
    X, y, subsets, seeds = data
    with use_backend("dask", scheduler=cluster) as info:
        assert info["backend"] == "dask" and info["n_workers"] == 2 and info["n_jobs"] == 2
        assert info["scheduler"].startswith("tcp://127.0.0.1:")
        for name, template in TEMPLATES.items():
            models = train_models(template, X, y, subsets, seeds, chunk_size=2)
            assert _same(_probas(models, X), in_process[name]), name
    # a client made by the caller is used and left open
    with distributed.Client(cluster, set_as_default=False) as client:
        with use_backend("dask", scheduler=client, n_jobs=1):
            models = train_models(FOREST, X, y, subsets, seeds, n_jobs=2)
        assert client.status == "running"
    assert _same(_probas(models, X), in_process["random_forest"])


def test_replicate_backend_flag_is_recorded_and_changes_no_row(cluster, tmp_path):
    sequential = run_experiment("shokri_n_classes", "smoke", seed=0)
    assert sequential["provenance"]["backend"]["backend"] == "sequential"
    argv = ["replicate", "shokri_n_classes", "--profile", "smoke", "--no-progress"]
    argv += ["--out", str(tmp_path), "--backend", "dask"]
    assert main([*argv, "--scheduler", cluster.scheduler_address]) == 0
    res = json.loads(result_path("shokri_n_classes", "smoke", tmp_path).read_text())
    assert res["provenance"]["backend"] == {
        "backend": "dask",
        "scheduler": cluster.scheduler_address,
        "n_jobs": 2,
        "n_workers": 2,
    }
    assert _timeless(res["results"]["rows"]) == _timeless(sequential["results"]["rows"])


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--scheduler", "tcp://127.0.0.1:8786"], "--scheduler is the address of a Dask"),
        (["--backend", "dask"], "--backend dask needs --scheduler ADDRESS"),
        (["--backend", "spark"], "invalid choice: 'spark'"),
    ],
)
def test_replicate_backend_usage_errors(extra, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["replicate", "shokri_n_classes", "--profile", "smoke", *extra])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_unreachable_scheduler_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT_S", 1)
    with pytest.raises(ConnectionError, match="cannot reach the Dask scheduler at"):
        with use_backend("dask", scheduler="tcp://127.0.0.1:1"):
            pass
    argv = ["replicate", "shokri_n_classes", "--profile", "smoke", "--no-progress"]
    assert main([*argv, "--backend", "dask", "--scheduler", "tcp://127.0.0.1:1"]) == 1
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err
    assert backend_info()["backend"] == "sequential"


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: use_backend("spark").__enter__(), ValueError, "backend must be one of"),
        (lambda: use_backend("dask").__enter__(), ValueError, "needs scheduler="),
        (lambda: use_backend("local", scheduler="tcp://h:1").__enter__(), ValueError, "local"),
        (lambda: use_backend("local", n_jobs=0).__enter__(), ValueError, "n_jobs"),
        (lambda: use_backend("dask", scheduler=3).__enter__(), TypeError, "scheduler must be"),
    ],
)
def test_bad_backends(call, error, match):
    with pytest.raises(error, match=match):
        call()
    assert backend_info()["backend"] == "sequential"


def test_missing_ray_says_what_to_install():
    try:
        import ray  # noqa: F401
    except ImportError:
        pass
    else:  # pragma: no cover - ray is only in the optional extra
        pytest.skip("ray is installed")
    with pytest.raises(ImportError, match=r'pip install "mia_lib\[cluster\]"'):
        use_backend("ray").__enter__()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"seeds": [1, 2]}, ValueError, "2 seeds for 5 subsets; pass one seed per model"),
        ({"seeds": 7}, TypeError, "seeds must be a sequence of int seeds"),
        ({"seeds": [1, 2, 3, 4, 1.5]}, TypeError, r"seeds\[4\] must be an int"),
        ({"template": RandomForestClassifier}, TypeError, "template must be an unfitted"),
        ({"subsets": []}, ValueError, "subsets is empty"),
        ({"chunk_size": 0}, ValueError, "chunk_size"),
        ({"n_jobs": -1}, ValueError, "n_jobs"),
        ({"y": np.zeros(3)}, ValueError, "X has 500 records but y has 3 labels"),
    ],
)
def test_train_models_bad_inputs(data, kwargs, error, match):
    X, y, subsets, seeds = data
    args = {"template": FOREST, "X": X, "y": y, "subsets": subsets, "seeds": seeds, **kwargs}
    with pytest.raises(error, match=match):
        train_models(**args)


def test_train_many_takes_seeds_or_random_state_not_both(data):
    X, y, subsets, _ = data
    with pytest.raises(ValueError, match="random_state or seeds, not both"):
        train_many(MLP, X, y, subsets[:2], random_state=0, seeds=[1, 2])
    with pytest.raises(ValueError, match="1 seeds for 2 subsets"):
        train_many(MLP, X, y, subsets[:2], seeds=[1])


def test_device_auto_resolves_to_the_cpu_here(data):
    import torch

    X, y, subsets, seeds = data
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    clf = TorchMLPClassifier(hidden_layer_sizes=(8,), epochs=2, device="auto", random_state=0)
    assert clf.fit(X, y).device_ == expected and clf.device == "auto"
    assert clf.model_[0].weight.device.type == expected
    if expected == "cpu":
        cpu = clf.set_params(device="cpu").fit(X, y)
        auto = TorchMLPClassifier(**{**cpu.get_params(), "device": "auto"}).fit(X, y)
        assert np.array_equal(cpu.predict_proba(X), auto.predict_proba(X))
        # train_many resolves it too, and trains the same models as on "cpu"
        auto_mlp = clone(MLP).set_params(device="auto")
        batched = train_many(auto_mlp, X, y, subsets[:2], seeds=seeds[:2])
        on_cpu = train_many(MLP, X, y, subsets[:2], seeds=seeds[:2])
        assert [m.device_ for m in batched] == ["cpu", "cpu"]
        assert _same(_probas(batched, X), _probas(on_cpu, X))
