"""Named hypothesis strategies shared by the kata tests."""

from hypothesis import strategies as st

small_sizes = st.integers(min_value=0, max_value=6)
positive_sizes = st.integers(min_value=1, max_value=6)
shapes = st.lists(positive_sizes, min_size=1, max_size=4).map(tuple)
seeds = st.integers(min_value=0, max_value=2**32 - 1)
finite_floats = st.floats(min_value=-100, max_value=100, allow_nan=False, allow_infinity=False)
bounded_floats = st.floats(min_value=-10, max_value=10, allow_nan=False, allow_infinity=False)
# values on a grid of 1/64 in [-16, 16]: exact in float64, and two different values of a
# feature are at least 1/64 apart, so no std is so small that rounding decides the result
grid_values = st.integers(min_value=-1024, max_value=1024).map(lambda k: k / 64)
