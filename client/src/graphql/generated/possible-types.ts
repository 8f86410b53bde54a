
      export interface PossibleTypesResultData {
        possibleTypes: {
          [key: string]: string[]
        }
      }
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "Task": [
      "CalculationTask",
      "SleepTask"
    ]
  }
};
      export default result;
    