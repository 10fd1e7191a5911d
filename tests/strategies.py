"""Named hypothesis strategies shared by the kata tests."""

from hypothesis import strategies as st

small_sizes = st.integers(min_value=0, max_value=6)
positive_sizes = st.integers(min_value=1, max_value=6)
shapes = st.lists(positive_sizes, min_size=1, max_size=4).map(tuple)
seeds = st.integers(min_value=0, max_value=2**32 - 1)
finite_floats = st.floats(min_value=-100, max_value=100, allow_nan=False, allow_infinity=False)
bounded_floats = st.floats(min_value=-10, max_value=10, allow_nan=False, allow_infinity=False)
