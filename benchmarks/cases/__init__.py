"""The cases that benchmarks/run.py measures, one module each: a training
step of 784-512-512-10 (:mod:`.train_step`), the digits network
(:mod:`.digits`) and the cost of one gradient against the parameter count
(:mod:`.gradient_cost`). Each returns the JSON-ready dict of its results."""
