/// Every operator Flowline knows.
public enum OperatorCatalog {
    public static let all: [any OperatorDefinition.Type] = [
        BashOperator.self, PythonOperator.self, HTTPOperator.self, SensorOperator.self, EmptyOperator.self, ProjectOperator.self,
    ]

    public static func named(_ name: String) -> (any OperatorDefinition.Type)? {
        all.first { $0.name == name }
    }
}
