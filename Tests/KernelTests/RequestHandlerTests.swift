import Engine
import Interpreter
import JSON
import Testing

@testable import Kernel

/// The kernel's answers without its sockets: a decoded request in, the
/// reply's type and content out, iopub messages through `publish`.
@Suite struct RequestHandlerTests {
    static let nowhere = Environment(
        variables: [:], currentDirectory: "/nonexistent/dnb-test", homeDirectory: "/nonexistent/dnb-test")

    func request(_ type: String, _ content: JSONValue) -> WireMessage {
        WireMessage(header: .object(["msg_type": .string(type), "msg_id": .string("m")]), content: content)
    }

    @Test func kernelInfoNamesDnb() throws {
        let handler = RequestHandler(environment: Self.nowhere)
        let reply = try #require(handler.answer(request("kernel_info_request", .emptyObject)))
        #expect(reply.type == "kernel_info_reply")
        #expect(reply.content["language_info"]?["name"]?.string == "dnb")
    }

    @Test func executePublishesItsOutputAndIsKeptInHistory() throws {
        let handler = RequestHandler(environment: Self.nowhere)
        var published: [String] = []
        handler.publish = { type, _, _, _ in published.append(type) }
        let reply = try #require(handler.answer(request("execute_request", .object(["code": .string("help param")]))))
        #expect(reply.content["status"]?.string == "ok")
        #expect(published.first == "execute_input")
        #expect(published.contains("stream"))
        let history = try #require(handler.answer(request("history_request", .emptyObject)))
        #expect(history.content["history"] == .array([.array([.number(1), .number(1), .string("help param")])]))
    }

    @Test func unknownTypesGetNoReplyAndShutdownStops() {
        let handler = RequestHandler(environment: Self.nowhere)
        #expect(handler.answer(request("comm_open", .emptyObject)) == nil)
        #expect(handler.running)
        #expect(handler.answer(request("shutdown_request", .emptyObject))?.type == "shutdown_reply")
        #expect(!handler.running)
    }
}
