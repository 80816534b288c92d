"""mia_lib: the helper library of the executable textbook on membership inference attacks.

The flow through the library::

    dataset -> split -> train target and shadows -> query (black box, maybe defended)
            -> signal (posteriors, loss, entropy...) -> attack -> scores -> metrics

Each step lives in its own module: :mod:`mia_lib.datasets`, :mod:`mia_lib.splits`,
:mod:`mia_lib.models`, :mod:`mia_lib.query`, :mod:`mia_lib.shadow`,
:mod:`mia_lib.attacks`, :mod:`mia_lib.metrics` and :mod:`mia_lib.plots`;
:mod:`mia_lib.synthesis` makes data for shadow models. :mod:`mia_lib.papers` holds the
published figures we compare with, and :mod:`mia_lib.experiments` the replications that
``python -m mia_lib replicate NAME --profile quick|full`` runs.
"""

__version__ = "0.1.0"
