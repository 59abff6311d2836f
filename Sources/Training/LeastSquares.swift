/// Least squares by QR factorisation with Givens rotations, one row at a time: numerically sound
/// (no normal equations, whose conditioning is the square of the problem's) and streaming (memory
/// is p × p however many rows arrive).
struct LeastSquares {
    /// The number of unknowns.
    let width: Int
    /// The upper-triangular factor R, row-major, `width × width`.
    private var r: [Double]
    /// Qᵀy.
    private var qty: [Double]
    private(set) var rows = 0

    init(width: Int) {
        self.width = width
        r = Array(repeating: 0, count: width * width)
        qty = Array(repeating: 0, count: width)
    }

    /// Rotates one row (`features`, length ``width``; used as scratch) and its target into R.
    mutating func add(_ features: inout [Double], target: Double) {
        rows += 1
        var target = target
        let width = width
        r.withUnsafeMutableBufferPointer { r in
            qty.withUnsafeMutableBufferPointer { qty in
                features.withUnsafeMutableBufferPointer { row in
                    for j in 0..<width {
                        let b = row[j]
                        if b == 0 { continue }
                        let a = r[j * width + j]
                        var h = (a * a + b * b).squareRoot()
                        if !h.isFinite || h == 0 { h = Self.hypot(a, b) }
                        let c = a / h
                        let s = b / h
                        r[j * width + j] = h
                        var k = j + 1
                        while k < width {
                            let rk = r[j * width + k]
                            let xk = row[k]
                            r[j * width + k] = c * rk + s * xk
                            row[k] = c * xk - s * rk
                            k += 1
                        }
                        let q = qty[j]
                        qty[j] = c * q + s * target
                        target = c * target - s * q
                    }
                }
            }
        }
    }

    /// Solves R b = Qᵀy by back substitution.
    /// - Throws: when the rows do not determine every unknown (R is singular to working precision).
    func solve() throws(TrainingError) -> [Double] {
        let scale = (0..<width).map { abs(r[$0 * width + $0]) }.max() ?? 0
        let tolerance = scale * Double(width) * Double.ulpOfOne * 16
        var solution = Array(repeating: 0.0, count: width)
        for j in stride(from: width - 1, through: 0, by: -1) {
            let diagonal = r[j * width + j]
            guard abs(diagonal) > tolerance else {
                throw TrainingError("the samples do not determine the model: its \(width) coefficients need at least \(width) distinct x values")
            }
            var sum = qty[j]
            for k in (j + 1)..<width { sum -= r[j * width + k] * solution[k] }
            solution[j] = sum / diagonal
        }
        return solution
    }

    /// `sqrt(a² + b²)` without overflow or underflow.
    private static func hypot(_ a: Double, _ b: Double) -> Double {
        let scale = max(abs(a), abs(b))
        guard scale > 0, scale.isFinite else { return scale }
        let (x, y) = (a / scale, b / scale)
        return scale * (x * x + y * y).squareRoot()
    }
}
