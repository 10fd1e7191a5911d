"""The machinery behind the katas, which names none of them: the manifest and the layout
(curriculum, check), stubs (stubgen), the implementation switch (impl), the learner's
commands (cli, runner, tally, display, watch), the pytest plugins (results, guard,
plugins/), and the maintainers' proofs (variants, impact, fingerprint, stress, mutation).
CONTRIBUTING.md describes each."""
