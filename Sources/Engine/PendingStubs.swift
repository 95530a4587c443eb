// TEMPORARY: what the engine branch adds; deleted when it merges.
extension EngineError: CustomStringConvertible {
    public var description: String { "\(self)" }
}
