/// SampleSet of a line: parallel arrays of x and y.
public struct SampleSet: Sendable, Equatable {
    public var x: [Double]
    public var y: [Double]

    public init(x: [Double] = [], y: [Double] = []) {
        precondition(x.count == y.count, "x and y must have the same count")
        self.x = x
        self.y = y
    }

    public var count: Int { x.count }

    mutating func append(x: Double, y: Double) {
        self.x.append(x)
        self.y.append(y)
    }
}
