import Lineage
import Testing

@Suite("Tasks' tracking tokens")
struct TrackingTokenTests {
    @Test("A try's token goes only to the tracking server it was issued for")
    func audience() {
        let issued = [Lineage.Environment.trackingToken: "t", Lineage.Environment.trackingTokenAudience: "http://10.0.0.5:5000"]
        #expect(Lineage.Environment.tokenMayGo(to: "http://10.0.0.5:5000", environment: issued))
        #expect(Lineage.Environment.tokenMayGo(to: "http://10.0.0.5:5000/", environment: issued))
        #expect(!Lineage.Environment.tokenMayGo(to: "https://mlflow.example.com", environment: issued))
        #expect(!Lineage.Environment.tokenMayGo(to: "http://10.0.0.5:5001", environment: issued))
        // A token the task brought itself has no audience: its own business.
        #expect(Lineage.Environment.tokenMayGo(to: "https://mlflow.example.com", environment: [Lineage.Environment.trackingToken: "own"]))
    }
}
