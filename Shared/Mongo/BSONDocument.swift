/// An ordered BSON document: keys keep their insertion order, as in MongoDB.
///
/// `["email": "a@b", "age": 3, "tags": ["x"]]` builds one from a literal. Setting a key
/// replaces its value in place; setting it to `nil` removes it (use `.null` to store null).
public struct BSONDocument: Sendable, Equatable, ExpressibleByDictionaryLiteral, Sequence {
    public private(set) var keys: [String] = []
    public private(set) var values: [BSON] = []

    public init() {}

    /// A document with `pairs` in order; a repeated key keeps its first position and last value.
    public init<Pairs: Sequence>(_ pairs: Pairs) where Pairs.Element == (String, BSON) {
        for (key, value) in pairs { self[key] = value }
    }

    public init(dictionaryLiteral elements: (String, BSON)...) {
        self.init(elements)
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public subscript(key: String) -> BSON? {
        get { keys.firstIndex(of: key).map { values[$0] } }
        set {
            if let index = keys.firstIndex(of: key) {
                if let newValue {
                    values[index] = newValue
                } else {
                    keys.remove(at: index)
                    values.remove(at: index)
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
            }
        }
    }

    /// Appends without looking for an existing key (used when decoding, where keys are unique).
    mutating func append(_ key: String, _ value: BSON) {
        keys.append(key)
        values.append(value)
    }

    /// Puts `key` first (where MongoDB keeps `_id`), replacing any earlier value.
    mutating func prepend(_ key: String, _ value: BSON) {
        self[key] = nil
        keys.insert(key, at: 0)
        values.insert(value, at: 0)
    }

    public func makeIterator() -> some IteratorProtocol<(key: String, value: BSON)> {
        zip(keys, values).lazy.map { (key: $0, value: $1) }.makeIterator()
    }
}
