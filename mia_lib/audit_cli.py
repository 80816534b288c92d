"""The command ``python -m mia_lib audit``: files in, an audit report out.

* :func:`load_model` reads a scikit-learn model saved with ``joblib`` or ``pickle``
  (``.joblib``, ``.pkl``, ``.pickle``) or a TorchScript module (``.pt``, ``.pth``) that maps
  a float32 batch to logits (softmax is applied) or, with ``outputs="probabilities"``, to
  probabilities. Unpickling runs code from the file: load only files you trust.
* :func:`load_records` reads records and labels from ``.npz`` (arrays ``X`` and ``y``) or
  ``.csv`` (a header row; the column ``y`` holds the labels, or else the last column; every
  other column is a numeric feature).
* :func:`run` audits (:func:`mia_lib.audit.audit`) and writes ``report.html`` and
  ``report.json`` (:func:`mia_lib.audit_report.write_report`).

>>> import tempfile
>>> from pathlib import Path
>>> d = Path(tempfile.mkdtemp())
>>> np.savez(d / "m.npz", X=np.eye(3), y=[0, 1, 2])
>>> X, y = load_records(d / "m.npz")
>>> X.shape, y.tolist()
((3, 3), [0, 1, 2])
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

__all__ = ["InputError", "load_model", "load_records", "run"]

MODEL_SUFFIXES = {".joblib": "joblib", ".pkl": "joblib", ".pickle": "joblib", ".pt": "torch"}
MODEL_SUFFIXES[".pth"] = "torch"


class InputError(ValueError):
    """A file the audit cannot use, with what was wrong and how to fix it."""


def _existing(path, what: str) -> Path:
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{what} {p} does not exist or is not a file.")
    return p


def load_model(path, outputs: str = "logits"):
    """The model in ``path``: a fitted scikit-learn estimator, or a function ``X ->
    probabilities`` for a TorchScript module (``outputs``: what the module returns,
    ``"logits"`` or ``"probabilities"``)."""
    p = _existing(path, "the model file")
    kind = MODEL_SUFFIXES.get(p.suffix.lower())
    if kind is None:
        raise InputError(
            f"unknown model file type {p.suffix!r} ({p.name}); use .joblib, .pkl or .pickle "
            "(scikit-learn, saved with joblib or pickle) or .pt / .pth (TorchScript)."
        )
    if outputs not in ("logits", "probabilities"):
        raise InputError(f"outputs must be 'logits' or 'probabilities', got {outputs!r}.")
    if kind == "joblib":
        import joblib

        try:
            model = joblib.load(p)
        except Exception as exc:  # a corrupt file or a class that is not installed
            raise InputError(
                f"could not load the model {p.name} ({type(exc).__name__}: {exc}); save it "
                "with joblib.dump or pickle.dump."
            ) from exc
        if not hasattr(model, "predict_proba"):
            raise InputError(
                f"the object in {p.name} is a {type(model).__name__}, which has no "
                "predict_proba; save a fitted classifier."
            )
        return model
    import torch

    try:
        module = torch.jit.load(str(p), map_location="cpu").eval()
    except Exception as exc:
        raise InputError(f"could not load the TorchScript module {p.name}: {exc}") from exc

    @torch.no_grad()
    def predict(X):
        out = []
        try:
            for start in range(0, len(X), 1024):
                batch = torch.as_tensor(np.asarray(X[start : start + 1024]), dtype=torch.float32)
                out.append(module(batch))
        except RuntimeError as exc:
            lines = str(exc).strip().splitlines()
            raise InputError(
                f"the TorchScript module {p.name} failed on records of shape "
                f"{tuple(np.shape(X)[1:])}: {lines[-1] if lines else type(exc).__name__}"
            ) from exc
        z = torch.cat(out).double()
        if outputs == "probabilities":
            return z.numpy()
        ones = torch.ones(len(z), dtype=z.dtype)
        if z.ndim == 2 and bool((z >= 0).all()) and torch.allclose(z.sum(1), ones, atol=1e-6):
            raise InputError(
                f"the TorchScript module {p.name} returns rows that are already "
                "probabilities; pass --outputs probabilities (softmax would be applied twice)."
            )
        return torch.softmax(z, dim=1).numpy()

    return predict


def load_records(path, what: str = "records"):
    """Records ``X`` (float64) and integer labels ``y`` from ``.npz`` or ``.csv``."""
    p = _existing(path, f"the {what} file")
    suffix = p.suffix.lower()
    if suffix == ".npz":
        try:
            with np.load(p, allow_pickle=False) as data:
                names = list(data.files)
                X = data["X"] if "X" in names else None
                y = data["y"] if "y" in names else None
        except Exception as exc:  # empty, truncated or not an npz archive
            raise InputError(
                f"could not read {p.name} as .npz ({type(exc).__name__}: {exc}); save it with "
                "numpy.savez(path, X=X, y=y)."
            ) from exc
        if X is None or y is None:
            raise InputError(f"{p.name} must hold arrays named X and y; it has {sorted(names)}.")
    elif suffix == ".csv":
        import pandas as pd

        try:
            frame = pd.read_csv(p)
        except Exception as exc:  # empty file, bad quoting, binary data
            raise InputError(
                f"could not read {p.name} as CSV ({type(exc).__name__}: {exc}); it needs a "
                "header row and one record per line."
            ) from exc
        if frame.shape[1] < 2:
            raise InputError(f"{p.name} needs a label column and at least one feature column.")
        label = "y" if "y" in frame.columns else frame.columns[-1]
        y = frame[label].to_numpy()
        features = frame.drop(columns=[label])
        text = [c for c in features.columns if not pd.api.types.is_numeric_dtype(features[c])]
        if text:
            raise InputError(
                f"{p.name}: the feature columns {text[:5]} are not numeric; encode them "
                "(one-hot, say) before auditing."
            )
        X = features.to_numpy(dtype=np.float64)
    else:
        raise InputError(f"unknown {what} file type {p.suffix!r} ({p.name}); use .npz or .csv.")
    y = np.asarray(y)
    if y.ndim != 1 or (y.dtype.kind == "f" and not np.all(y == np.round(y))):
        raise InputError(f"{p.name}: the labels y must be one integer class per record.")
    if y.dtype.kind not in "biuf":
        raise InputError(f"{p.name}: the labels y must be integers 0..n_classes-1.")
    return np.asarray(X, dtype=np.float64), y.astype(np.int64)


def run(args) -> int:
    """Run ``python -m mia_lib audit`` with parsed ``args``; the exit status."""
    from .audit import audit
    from .audit_report import write_report

    t0 = time.perf_counter()
    out_dir = Path(args.out)
    try:
        if out_dir.exists() and not out_dir.is_dir():
            raise InputError(f"--out {out_dir} is a file; name a folder for the report.")
        from .download import require_writable

        try:
            require_writable(out_dir, "output folder")
        except (OSError, RuntimeError) as exc:
            raise InputError(str(exc)) from exc
        model = load_model(args.model, args.outputs)
        Xm, ym = load_records(args.members, "members")
        Xn, yn = load_records(args.non_members, "non-members")
        population = None if args.population is None else load_records(args.population)
        report = audit(
            model,
            Xm,
            ym,
            Xn,
            yn,
            population=population,
            attacks=args.attacks,
            n_shadows=args.n_shadows,
            fprs=args.fprs,
            random_state=args.seed,
            verbose=not args.no_progress,
        )
    except (InputError, ValueError, TypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        out = write_report(report, out_dir)
    except (OSError, RuntimeError) as exc:  # the folder became unwritable
        print(f"error: could not write the report into {out_dir}: {exc}", file=sys.stderr)
        return 1
    print(report.summary())
    print(
        f"wrote {out / 'report.html'} and {out / 'report.json'} ({time.perf_counter() - t0:.1f} s)"
    )
    return 0
