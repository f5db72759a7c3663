"""Stochastic optimal control: an implicit upwind HJB scheme (``scheme``) and one lab's problem under
labrace's shocks, reduced to one state by homogeneity (``lab``); the ``hjb`` policy plays its solution."""
