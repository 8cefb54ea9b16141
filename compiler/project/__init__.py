"""The project file (bpl.toml) and its environments."""
