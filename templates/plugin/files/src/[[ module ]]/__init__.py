"""[[ distribution ]]: the `[[ backend ]]` backend for advisor (hooks in :mod:`.plugin`)."""
