/// Helpers over the generated API types.
public enum APIContract {}
