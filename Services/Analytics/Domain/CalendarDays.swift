import FoundationEssentials
import PlatformCore

/// A day of the UTC calendar, `YYYY-MM-DD`.
public struct Day: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Days since 1970-01-01.
    public let ordinal: Int

    public init(ordinal: Int) { self.ordinal = ordinal }

    public init(_ date: Date) { ordinal = Int((date.timeIntervalSince1970 / 86_400).rounded(.down)) }

    /// Nil unless `text` is a real day written `YYYY-MM-DD`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            let first = Month(year: year, month: month), (1...first.dayCount).contains(day)
        else { return nil }
        ordinal = first.firstDay.ordinal + day - 1
    }

    public var date: Date { Date(timeIntervalSince1970: TimeInterval(ordinal) * 86_400) }
    public var month: Month { Month(containing: self) }
    public func adding(_ days: Int) -> Day { Day(ordinal: ordinal + days) }

    public var description: String {
        let parts = Calendar.utc.dateComponents([.year, .month, .day], from: date)
        return "\((parts.year ?? 0).zeroPadded(4))-\((parts.month ?? 0).zeroPadded(2))-\((parts.day ?? 0).zeroPadded(2))"
    }

    public static func < (lhs: Day, rhs: Day) -> Bool { lhs.ordinal < rhs.ordinal }
}

/// A month of the UTC calendar, `YYYY-MM`.
public struct Month: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init?(year: Int, month: Int) {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    public init(containing day: Day) {
        let parts = Calendar.utc.dateComponents([.year, .month], from: day.date)
        year = parts.year ?? 1970
        month = parts.month ?? 1
    }

    /// Nil unless `text` is a month written `YYYY-MM`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]), let month = Int(parts[1])
        else { return nil }
        self.init(year: year, month: month)
    }

    /// Months since January of year 0: consecutive months are consecutive numbers.
    public var index: Int { year * 12 + month - 1 }

    public init(index: Int) {
        year = index / 12
        month = index % 12 + 1
    }

    public func adding(_ months: Int) -> Month { Month(index: index + months) }

    public var firstDay: Day {
        Day(Calendar.utc.date(from: DateComponents(year: year, month: month, day: 1)) ?? Date(timeIntervalSince1970: 0))
    }

    public var lastDay: Day { adding(1).firstDay.adding(-1) }
    public var dayCount: Int { lastDay.ordinal - firstDay.ordinal + 1 }

    public var description: String { "\(year.zeroPadded(4))-\(month.zeroPadded(2))" }

    public static func < (lhs: Month, rhs: Month) -> Bool { lhs.index < rhs.index }
}

extension Calendar {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar
    }()
}
