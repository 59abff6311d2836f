import Foundation
import Testing
import TrackingClient

/// Which model is better: the one decision `models evaluate` and `models promote` share.
@Suite("Model promotion")
struct ModelPromotionTests {
    static func promotion(greaterIsBetter: Bool = true) throws -> ModelPromotion {
        ModelPromotion(client: try TrackingClient(trackingURI: "http://127.0.0.1:1"), model: "line-model", greaterIsBetter: greaterIsBetter)
    }

    @Test("Without a champion the first scored candidate wins; a NaN candidate never does")
    func noChampion() throws {
        let promotion = try Self.promotion()
        #expect(promotion.decide(candidate: 0.3, champion: nil) == (true, "'line-model' has no champion yet"))
        #expect(promotion.decide(candidate: .nan, champion: nil).isBetter == false)
        #expect(promotion.decide(candidate: .nan, champion: ("1", 0.5)).isBetter == false)
    }

    @Test("A champion without the metric (or with NaN) loses to any scored candidate")
    func unscoredChampion() throws {
        let promotion = try Self.promotion()
        #expect(promotion.decide(candidate: -5, champion: ("2", nil)) == (true, "the champion (version 2) has no test-R2-score"))
        #expect(promotion.decide(candidate: -5, champion: ("2", .nan)).isBetter)
    }

    @Test("Strictly better wins, in the metric's direction; a tie keeps the champion", arguments: [true, false])
    func direction(greaterIsBetter: Bool) throws {
        let promotion = try Self.promotion(greaterIsBetter: greaterIsBetter)
        #expect(promotion.decide(candidate: 0.9, champion: ("3", 0.8)).isBetter == greaterIsBetter)
        #expect(promotion.decide(candidate: 0.7, champion: ("3", 0.8)).isBetter == !greaterIsBetter)
        let tie = promotion.decide(candidate: 0.8, champion: ("3", 0.8))
        #expect(!tie.isBetter && tie.reason == "test-R2-score 0.8 is equal to the champion's 0.8 (version 3)")
    }
}
