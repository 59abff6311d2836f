/// Flowline's version, reported by `flowline --version` and in every service's API document.
public enum FlowlineVersion {
    public static let current = "0.1.0"
}
