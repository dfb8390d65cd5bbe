"""Rights protection: labour-dispute cases, mediation, deadlines (issue 4).

The legal rules (``parameters``, ``rules``) are pure and import no models, so they work before the
app is installed.
"""
