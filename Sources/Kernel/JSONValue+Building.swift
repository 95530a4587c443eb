import JSON

extension JSONValue {
    /// An object from literal pairs, in order: `.object(["status": .string("ok")])`.
    static func object(_ pairs: KeyValuePairs<String, JSONValue>) -> JSONValue {
        .object(pairs.map { Member(key: $0.key, value: $0.value) })
    }

    static let emptyObject = JSONValue.object([Member]())

    /// The same object with `key` set to `value` (replaced, or added at the end).
    func setting(_ key: String, to value: JSONValue) -> JSONValue {
        guard case .object(var members) = self else { return self }
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].value = value
        } else {
            members.append(Member(key: key, value: value))
        }
        return .object(members)
    }

    var boolean: Bool? {
        if case .bool(let value) = self { value } else { nil }
    }

    var isObject: Bool {
        if case .object = self { true } else { false }
    }
}
