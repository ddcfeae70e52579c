import AnalyticsService
import Foundation
import PlatformCore
import Testing

/// The dashboard's arithmetic, without I/O: the least-squares prediction, growth and the UTC calendar.
@Suite("Forecast and calendar")
struct ForecastTests {
    @Test func aStraightLineContinues() {
        #expect(Forecast.nextMonth([100, 200, 300, 400]) == 500)
        #expect(Forecast.nextMonth([1_000, 900, 800]) == 700)
    }

    @Test func aFlatSeriesStaysFlat() {
        #expect(Forecast.nextMonth([250, 250, 250, 250, 250]) == 250)
    }

    @Test func oneMonthIsItsOwnPrediction() {
        #expect(Forecast.nextMonth([420]) == 420)
        #expect(Forecast.nextMonth([]) == 0)
    }

    @Test func gapsCountAsZeroAndThePredictionIsNeverNegative() {
        // Months 0…3: 0, 0, 600, 0 (the caller fills gaps): x̄ = 1.5, ȳ = 150, slope = 60, at 4: 300.
        #expect(Forecast.nextMonth([0, 0, 600, 0]) == 300)
        // Falling steeply: the line goes below 0 at the next month.
        #expect(Forecast.nextMonth([900, 300, 0]) == 0)
    }

    @Test func aNoisySeriesMatchesTheTextbookFit() {
        let series: [Int64] = [1_210, 1_385, 1_290, 1_640, 1_720]
        // Σx = 10, Σy = 7,245, Σxy = 15,765, Σx² = 30 → slope = (5·15,765 − 10·7,245) / (5·30 − 100) = 127.5,
        // intercept = (7,245 − 127.5·10) / 5 = 1,194 → at x = 5: 1,831.5 → 1,832 (half away from zero).
        #expect(Forecast.nextMonth(series) == 1_832)
    }

    @Test func growthIsRoundedToTwoDecimalsAndNilWithoutABase() {
        #expect(Forecast.growthPercent(from: 300, to: 400) == 33.33)
        #expect(Forecast.growthPercent(from: 300, to: 200) == -33.33)
        #expect(Forecast.growthPercent(from: 800, to: 801) == 0.13)
        #expect(Forecast.growthPercent(from: 0, to: 500) == nil)
        #expect(Forecast.growthPercent(from: 500, to: 0) == -100)
    }

    @Test func daysAndMonthsAreRealOnesInUTC() throws {
        #expect(Day("2024-02-29")?.description == "2024-02-29")
        #expect(Day("2025-02-29") == nil)
        #expect(Day("2025-13-01") == nil)
        #expect(Day("2025-1-01") == nil)
        #expect(Day("2025-01-01T00:00") == nil)
        #expect(Month("2025-12")?.adding(1).description == "2026-01")
        #expect(Month("2025-00") == nil)
        #expect(Month("25-01") == nil)
        let march = try #require(Month("2024-03"))
        #expect(march.firstDay.description == "2024-03-01")
        #expect(march.lastDay.description == "2024-03-31")
        #expect(try #require(Month("2024-02")).dayCount == 29)
        // A payment a microsecond before midnight UTC belongs to that day.
        let late = Date(timeIntervalSince1970: try #require(Day("2024-03-31")).date.timeIntervalSince1970 + 86_399.999_999)
        #expect(Day(late).description == "2024-03-31")
        #expect(Month(containing: Day(late)) == march)
    }
}
