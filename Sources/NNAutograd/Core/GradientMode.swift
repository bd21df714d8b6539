/// Whether operations record the graph: on by default, off inside `withNoGrad` (inference, evaluation).
public enum GradientMode {
    @TaskLocal static var enabledValue = true

    /// Whether the current scope records graphs.
    public static var isEnabled: Bool { enabledValue }

    /// Runs `body` with recording switched on or off.
    public static func with<R>(enabled: Bool, _ body: () throws -> R) rethrows -> R {
        try $enabledValue.withValue(enabled, operation: body)
    }
}

/// Runs `body` without recording a graph: results have no creator and use no memory for backward.
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.with(enabled: false, body)
}
