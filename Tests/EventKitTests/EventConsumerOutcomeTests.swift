import AMQP
import EventKit
import Foundation
import PlatformCore
import TestSupport
import Testing

@Suite("Event consumer outcomes")
struct EventConsumerOutcomeTests {
    struct Transient: Error {}

    let message = Fixtures.incoming("user.registered", messageID: UUID().uuidString.lowercased())

    func outcome(of message: IncomingMessage, _ handler: @escaping EventConsumer.Handler) async -> ConsumeOutcome {
        await EventConsumer.outcome(of: message, handler: handler, logger: Fixtures.quietLogger)
    }

    @Test func aHandlerThatSucceedsAcksTheMessage() async throws {
        let calls = CallCounter()
        let expectedID = try #require(message.messageID.flatMap(UUID.init(uuidString:)))
        let result = await outcome(of: message) { event in
            #expect(event.id == expectedID)
            #expect(event.type == "user.registered")
            calls.increment()
        }
        #expect(result == .ack)
        #expect(calls.count == 1)
    }

    @Test func anEventRejectedErrorDeadLettersTheMessage() async {
        #expect(await outcome(of: message) { _ in throw EventRejected("bad payload") } == .reject)
    }

    @Test func anInvalidArgumentErrorDeadLettersTheMessage() async {
        #expect(await outcome(of: message) { _ in throw AppError(.invalidArgument, "bad") } == .reject)
    }

    @Test(arguments: [AppError.Code.unavailable, .internal, .notFound, .alreadyExists])
    func anyOtherAppErrorRetriesTheMessage(code: AppError.Code) async {
        #expect(await outcome(of: message) { _ in throw AppError(code, "later") } == .retry)
    }

    @Test func anUnknownErrorRetriesTheMessage() async {
        #expect(await outcome(of: message) { _ in throw Transient() } == .retry)
    }

    @Test(arguments: [nil, "", "42", "not-a-uuid", "6f1c1c1e-8c36-4c41-9d3e"] as [String?])
    func aMessageWithoutAUUIDMessageIDIsRejectedWithoutCallingTheHandler(messageID: String?) async {
        let calls = CallCounter()
        let result = await outcome(of: Fixtures.incoming("user.registered", messageID: messageID)) { _ in calls.increment() }
        #expect(result == .reject)
        #expect(calls.count == 0)
    }

    @Test func theCorrelationIDBecomesTheRequestIDWhileTheHandlerRuns() async {
        let incoming = IncomingMessage(
            routingKey: "user.updated", body: [], messageID: UUID().uuidString, type: nil, timestamp: nil,
            correlationID: "request-17")
        let result = await outcome(of: incoming) { event in
            #expect(RequestScope.requestID == "request-17")
            #expect(event.type == "user.updated")
        }
        #expect(result == .ack)
    }
}
