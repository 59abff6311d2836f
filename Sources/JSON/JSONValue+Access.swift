extension JSONValue {
    /// The member `key` of an object; `nil` for other values.
    public subscript(_ key: String) -> JSONValue? {
        if case .object(let fields) = self { fields[key] } else { nil }
    }

    /// The text of a string; `nil` for other values.
    public var string: String? {
        if case .string(let text) = self { text } else { nil }
    }

    /// The items of an array; empty for other values.
    public var array: [JSONValue] {
        if case .array(let items) = self { items } else { [] }
    }

    /// A number's value, or MLflow's `"NaN"`/`"Infinity"`/`"-Infinity"` strings; `nil` otherwise.
    public var double: Double? {
        switch self {
        case .number(let number): number.doubleValue
        case .string("NaN"): .nan
        case .string("Infinity"): .infinity
        case .string("-Infinity"): -.infinity
        default: nil
        }
    }

    /// A number's value as an exact integer; `nil` for other values and fractions.
    public var int: Int? {
        if case .number(let number) = self { number.exactInteger } else { nil }
    }
}
