"""Settings: ``base`` is shared; ``dev`` is the embedded default (SQLite under var/),
``test`` runs the suite, ``production`` reads everything sensitive from the environment."""
