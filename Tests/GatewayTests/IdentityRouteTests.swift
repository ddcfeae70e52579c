import Foundation
import TestSupport
import Testing

/// The identity routes end to end in one process: the gateway, user, auth and idm as built for
/// production (in-memory stores), events between them over the local bus.
@Suite("Identity routes")
struct IdentityRouteTests {
    @Test func registrationLoginProfileRefreshAndLogout() async throws {
        try await PlatformStack.run { stack in
            let registered = try await stack.register("Ada@Example.COM", name: "Ada")
            #expect(registered.status == 201)
            #expect(registered["email"] as? String == "ada@example.com")
            #expect(registered["roles"] as? [String] == ["customer"])
            #expect((registered["created_at"] as? String)?.hasSuffix("Z") == true)

            let pair = try await stack.login("ada@example.com", PlatformStack.goodPassword)
            #expect(pair.status == 200 && pair["token_type"] as? String == "Bearer")
            let access = try #require(pair["access_token"] as? String)
            let refresh = try #require(pair["refresh_token"] as? String)

            let me = try await stack.client.call(.get, "/api/auth/me", token: access)
            #expect(me.status == 200 && me["id"] as? String == registered["id"] as? String)

            let renewed = try await stack.client.call(.post, "/api/auth/refresh", json: ["refresh_token": refresh])
            #expect(renewed.status == 200 && renewed["refresh_token"] as? String != refresh)
            let newAccess = try #require(renewed["access_token"] as? String)

            #expect(try await stack.client.call(.post, "/api/auth/logout", token: newAccess).status == 204)
            #expect(try await stack.client.call(.get, "/api/auth/me", token: newAccess).status == 401)
            // The session is over for every token it issued, at once.
            #expect(try await stack.client.call(.get, "/api/auth/me", token: access).status == 401)
        }
    }

    @Test func aSpentRefreshTokenPresentedAgainEndsTheSession() async throws {
        try await PlatformStack.run { stack in
            let account = try await stack.customer()
            let first = try await stack.client.call(.post, "/api/auth/refresh", json: ["refresh_token": account.refreshToken])
            let access = try #require(first["access_token"] as? String)
            let reuse = try await stack.client.call(.post, "/api/auth/refresh", json: ["refresh_token": account.refreshToken])
            #expect(reuse.status == 401 && reuse.errorCode == "unauthenticated")
            // idm published session.revoked; the gateway refuses the session's newest token too.
            #expect(try await stack.client.call(.get, "/api/auth/me", token: access).status == 401)
        }
    }

    @Test func aPasswordChangeSignsOutEveryOtherSession() async throws {
        try await PlatformStack.run { stack in
            let here = try await stack.customer()
            let elsewhere = try await stack.signIn(here.email, here.password, id: here.id)
            let change = try await stack.client.call(
                .post, "/api/auth/password", token: here.accessToken,
                json: ["current_password": here.password, "new_password": "a brand new password"])
            #expect(change.status == 204)
            #expect(try await stack.client.call(.get, "/api/auth/me", token: here.accessToken).status == 200)
            #expect(try await stack.client.call(.get, "/api/auth/me", token: elsewhere.accessToken).status == 401)
            #expect(try await stack.login(here.email, here.password).status == 401)
            #expect(try await stack.login(here.email, "a brand new password").status == 200)

            let wrong = try await stack.client.call(
                .post, "/api/auth/password", token: here.accessToken,
                json: ["current_password": "not it at all", "new_password": "yet another password"])
            #expect(wrong.status == 422 && wrong.errorDetails.keys.contains("current_password"))
        }
    }

    @Test func everyProblemOfARegistrationIsReportedAtOnce() async throws {
        try await PlatformStack.run { stack in
            let response = try await stack.client.call(.post, "/api/auth/register", json: ["email": "no-at-sign", "password": "short"])
            #expect(response.status == 422)
            #expect(Set(response.errorDetails.keys) == ["email", "password", "name"])
            let wrongType = try await stack.client.call(.post, "/api/auth/register", json: ["email": 5, "password": "long enough", "name": "X"])
            #expect(wrongType.status == 422 && wrongType.errorDetails.keys.contains("email"))
        }
    }

    @Test func aProfileChangeIsVisibleAtOnceAndADeactivationEndsTheSessions() async throws {
        try await PlatformStack.run { stack in
            let account = try await stack.customer()
            #expect(try await stack.client.call(.get, "/api/users/me", token: account.accessToken)["name"] as? String == "Ann")
            let renamed = try await stack.client.call(.patch, "/api/users/me", token: account.accessToken, json: ["name": "Anne"])
            #expect(renamed.status == 200)
            #expect(try await stack.client.call(.get, "/api/auth/me", token: account.accessToken)["name"] as? String == "Anne")

            let admin = try await stack.admin()
            #expect(try await stack.client.call(.delete, "/api/admin/users/\(account.id)", token: admin.accessToken).status == 204)
            // user.deactivated → idm revokes the sessions → session.revoked → the gateway refuses them.
            #expect(try await stack.client.call(.get, "/api/auth/me", token: account.accessToken).status == 401)
            #expect(try await stack.login(account.email, account.password).status == 401)
        }
    }

    @Test func theAdminListPagesFiltersAndNamesEveryBadParameter() async throws {
        try await PlatformStack.run { stack in
            let admin = try await stack.admin()
            for index in 0..<3 { _ = try await stack.register("list\(index)@example.com") }
            let page = try await stack.client.call(.get, "/api/admin/users?email=LIST&page=2&page_size=2", token: admin.accessToken)
            #expect(page.status == 200)
            #expect(page["total"] as? Int == 3 && page["page"] as? Int == 2 && page["page_size"] as? Int == 2)
            #expect((page["items"] as? [Any])?.count == 1)

            let bad = try await stack.client.call(
                .get, "/api/admin/users?page=0&page_size=x&active=maybe", token: admin.accessToken)
            #expect(bad.status == 422)
            #expect(Set(bad.errorDetails.keys) == ["page", "page_size", "active"])
            let role = try await stack.client.call(.get, "/api/admin/users?role=emperor", token: admin.accessToken)
            #expect(role.status == 422 && role.errorDetails.keys.contains("role"))
        }
    }

    @Test func anAdminCannotLockAdministrationOut() async throws {
        try await PlatformStack.run { stack in
            let admin = try await stack.admin()
            let demotion = try await stack.client.call(
                .patch, "/api/admin/users/\(admin.id)", token: admin.accessToken, json: ["roles": ["customer"]])
            #expect(demotion.status == 409 && demotion.errorCode == "failed_precondition")
            #expect(try await stack.client.call(.delete, "/api/admin/users/\(admin.id)", token: admin.accessToken).status == 409)

            // A second admin may demote the first; then the second is the last and stays.
            let made = try await stack.client.call(
                .post, "/api/admin/users", token: admin.accessToken,
                json: ["email": "second@example.com", "password": "long enough", "name": "Second", "roles": ["admin"]])
            let secondID = try #require(made["id"] as? String)
            let second = try await stack.signIn("second@example.com", "long enough", id: secondID)
            let demoted = try await stack.client.call(
                .patch, "/api/admin/users/\(admin.id)", token: second.accessToken, json: ["roles": ["staff"]])
            #expect(demoted.status == 200)
            let last = try await stack.client.call(
                .patch, "/api/admin/users/\(secondID)", token: second.accessToken, json: ["active": false])
            #expect(last.status == 409)
        }
    }

    /// A demotion takes effect for the sessions the user already has, within the request that
    /// made it: idm ends the sessions carrying the old roles and the gateway refuses their tokens.
    @Test func aDemotedAdminLosesAdminRightsAtOnce() async throws {
        try await PlatformStack.run { stack in
            let admin = try await stack.admin()
            let made = try await stack.client.call(
                .post, "/api/admin/users", token: admin.accessToken,
                json: ["email": "deputy@example.com", "password": "long enough", "name": "Deputy", "roles": ["admin"]])
            let deputyID = try #require(made["id"] as? String)
            let deputy = try await stack.signIn("deputy@example.com", "long enough", id: deputyID)
            #expect(try await stack.client.call(.get, "/api/admin/users", token: deputy.accessToken).status == 200)

            let demotion = try await stack.client.call(
                .patch, "/api/admin/users/\(deputyID)", token: admin.accessToken, json: ["roles": ["customer"]])
            #expect(demotion.status == 200)
            // The old admin token is refused everywhere; it cannot re-promote itself.
            #expect(try await stack.client.call(.get, "/api/admin/users", token: deputy.accessToken).status == 401)
            let repromote = try await stack.client.call(
                .patch, "/api/admin/users/\(deputyID)", token: deputy.accessToken, json: ["roles": ["admin"]])
            #expect(repromote.status == 401)
            // A new login carries the new roles.
            let again = try await stack.signIn("deputy@example.com", "long enough", id: deputyID)
            #expect(try await stack.client.call(.get, "/api/admin/users", token: again.accessToken).status == 403)
            // A change of name alone ends nothing.
            _ = try await stack.client.call(.patch, "/api/admin/users/\(deputyID)", token: admin.accessToken, json: ["name": "Dep"])
            #expect(try await stack.client.call(.get, "/api/auth/me", token: again.accessToken).status == 200)
        }
    }

    @Test func theLastConnectionOfSomeoneWhoNeverLoggedInIsNull() async throws {
        try await PlatformStack.run { stack in
            let admin = try await stack.admin()
            _ = try await stack.register("quiet@example.com")
            let response = try await stack.client.call(.get, "/api/sessions/last-connection?email=Quiet@example.com", token: admin.accessToken)
            #expect(response.status == 200)
            #expect(response.text.contains(#""last_connection_at":null"#))
            #expect(response["email"] as? String == "quiet@example.com")
            let own = try await stack.client.call(.get, "/api/sessions/last-connection?email=\(PlatformStack.adminEmail)", token: admin.accessToken)
            #expect(own["last_connection_at"] is String)
        }
    }

    @Test func sessionsAreListedWithTheCurrentOneAndSomeoneElsesIsNotFound() async throws {
        try await PlatformStack.run { stack in
            let account = try await stack.customer()
            let other = try await stack.signIn(account.email, account.password, id: account.id)
            let list = try await stack.client.call(.get, "/api/sessions", token: account.accessToken)
            let sessions = try #require(list["sessions"] as? [[String: Any]])
            #expect(sessions.count == 2 && sessions.filter { $0["current"] as? Bool == true }.count == 1)
            let otherID = try #require(sessions.first { $0["current"] as? Bool == false }?["id"] as? String)

            let stranger = try await stack.customer("bob")
            #expect(try await stack.client.call(.delete, "/api/sessions/\(otherID)", token: stranger.accessToken).status == 404)
            #expect(try await stack.client.call(.delete, "/api/sessions/\(otherID)", token: account.accessToken).status == 204)
            #expect(try await stack.client.call(.get, "/api/auth/me", token: other.accessToken).status == 401)
        }
    }

    @Test func theDocumentsAndKeysAreServed() async throws {
        try await PlatformStack.run { stack in
            let root = ServiceSchemas.repositoryRoot
            let json = try await stack.client.call(.get, "/openapi.json")
            #expect(json.text == (try String(contentsOf: root.appendingPathComponent("Services/Gateway/Resources/openapi.json"), encoding: .utf8)))
            let yaml = try await stack.client.call(.get, "/openapi.yaml")
            #expect(yaml.text == (try String(contentsOf: root.appendingPathComponent("Services/Gateway/API/openapi.yaml"), encoding: .utf8)))
            #expect(try await stack.client.call(.get, "/docs").text.contains("<html"))
            let keys = try await stack.client.call(.get, "/.well-known/jwks.json")
            #expect((keys["keys"] as? [[String: Any]])?.first?["alg"] as? String == "ES256")
        }
    }
}
