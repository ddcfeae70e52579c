/// Next month's sales from a least-squares line through monthly totals.
public enum Forecast {
    /// The line through `series` (one value per consecutive month, gaps already 0) evaluated one
    /// month after its last, never below 0, rounded to a cent; with fewer than 2 months, the last
    /// month's value.
    public static func nextMonth(_ series: [Int64]) -> Int64 {
        guard series.count >= 2 else { return series.last ?? 0 }
        let count = Double(series.count)
        let meanX = (count - 1) / 2
        let meanY = series.reduce(0.0) { $0 + Double($1) } / count
        var covariance = 0.0
        var variance = 0.0
        for (index, value) in series.enumerated() {
            let dx = Double(index) - meanX
            covariance += dx * (Double(value) - meanY)
            variance += dx * dx
        }
        let slope = covariance / variance
        let predicted = meanY + slope * (count - meanX)
        return max(0, Int64(predicted.rounded()))
    }

    /// (value − base) / base × 100, rounded to 2 decimals; nil when `base` is 0.
    public static func growthPercent(from base: Int64, to value: Int64) -> Double? {
        guard base != 0 else { return nil }
        return roundedPercent(Double(value - base) / Double(base))
    }

    /// `fraction` × 100, rounded half away from zero to 2 decimals.
    public static func roundedPercent(_ fraction: Double) -> Double {
        (fraction * 10_000).rounded() / 100
    }
}
