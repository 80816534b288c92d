"""mia_lib: the helper library of the executable textbook on membership inference attacks.

The flow through the library::

    dataset -> split -> train target and shadows -> query (black box, maybe defended)
            -> signal (posteriors, loss, entropy...) -> attack -> scores -> metrics

Each step lives in its own module: :mod:`mia_lib.datasets`, :mod:`mia_lib.splits`,
:mod:`mia_lib.models`, :mod:`mia_lib.blackbox`, :mod:`mia_lib.shadow`,
:mod:`mia_lib.attacks`, :mod:`mia_lib.metrics` and :mod:`mia_lib.plots`.
"""

__version__ = "0.1.0"
