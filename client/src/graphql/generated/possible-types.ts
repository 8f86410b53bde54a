
      export interface PossibleTypesResultData {
        possibleTypes: {
          [key: string]: string[]
        }
      }
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "Task": [
      "CalculationTask",
      "PrimeCountTask",
      "SleepTask"
    ]
  }
};
      export default result;
    