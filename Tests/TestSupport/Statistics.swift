/// Ordinary least squares of y on x, and the standard deviation of the residuals.
public func fitLine(_ points: [(x: Double, y: Double)]) -> (slope: Double, intercept: Double, residualDeviation: Double) {
    let count = Double(points.count)
    let meanX = points.reduce(0) { $0 + $1.x } / count
    let meanY = points.reduce(0) { $0 + $1.y } / count
    var sxx = 0.0
    var sxy = 0.0
    for point in points {
        sxx += (point.x - meanX) * (point.x - meanX)
        sxy += (point.x - meanX) * (point.y - meanY)
    }
    let slope = sxy / sxx
    let intercept = meanY - slope * meanX
    var squares = 0.0
    for point in points {
        let residual = point.y - (slope * point.x + intercept)
        squares += residual * residual
    }
    return (slope, intercept, (squares / (count - 2)).squareRoot())
}
