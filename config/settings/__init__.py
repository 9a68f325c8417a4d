"""Settings modules: `base` is shared; `local`, `test` and `production` select one environment."""
