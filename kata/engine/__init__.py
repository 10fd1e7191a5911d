"""The machinery behind the katas: curriculum order, stub generation, progress."""
