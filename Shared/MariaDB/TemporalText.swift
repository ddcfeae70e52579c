import CMariaDB

/// Prints a fetched `MYSQL_TIME` the way the server prints the column in text results:
/// `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS[.f…]` (UTC for DATETIME/TIMESTAMP, the session zone
/// being `+00:00`) and `[-]HH:MM:SS[.f…]`, with as many fraction digits as the column declares.
enum TemporalText {
    static func format(_ time: MYSQL_TIME, type: enum_field_types, decimals: Int) -> String {
        var text = ""
        switch type {
        case MYSQL_TYPE_DATE:
            appendDate(time, to: &text)
            return text
        case MYSQL_TYPE_TIME:
            if time.neg != 0 { text += "-" }
            appendClock(hours: Int(time.day) * 24 + Int(time.hour), time, to: &text)
        default:
            appendDate(time, to: &text)
            text += " "
            appendClock(hours: Int(time.hour), time, to: &text)
        }
        if decimals > 0 {
            text += "."
            text += padded(Int(time.second_part), 6).prefix(decimals)
        }
        return text
    }

    private static func appendDate(_ time: MYSQL_TIME, to text: inout String) {
        text += padded(Int(time.year), 4) + "-" + padded(Int(time.month), 2) + "-" + padded(Int(time.day), 2)
    }

    private static func appendClock(hours: Int, _ time: MYSQL_TIME, to text: inout String) {
        text += padded(hours, 2) + ":" + padded(Int(time.minute), 2) + ":" + padded(Int(time.second), 2)
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
