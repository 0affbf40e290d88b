/// A TOML reader that remembers the line of every key (placeholder; see the TOML issue work).
public enum TOML {}
