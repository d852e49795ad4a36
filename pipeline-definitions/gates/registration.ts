/**
 * What a registered model carries of its gates: ModelMetrics (the reports of this run) and
 * DriftCheckBaselines (what later runs and the monitoring compare with), from whichever engine
 * built the gates.
 */
import { Value } from '../dsl';
import { Gate, GateEngine, GateFile, GateName } from './gate';

/** The gates a registration reads; CheckExplainability is optional. */
export type RegisteredGates = Readonly<Record<Exclude<GateName, 'CheckTrainingHealth' | 'CheckExplainability'>, Gate>> & { readonly CheckExplainability?: Gate };

const json = (gate: Gate, kind: GateFile) => ({ ContentType: 'application/json', S3Uri: gate.file(kind) });

/** The ModelMetrics of a registration: the evaluation's statistics and the gates' reports. */
export function modelMetrics(gates: RegisteredGates, evaluationStatisticsUri: Value): Record<string, Value> {
  return {
    ModelQuality: {
      Statistics: { ContentType: 'application/json', S3Uri: evaluationStatisticsUri },
      Constraints: json(gates.CheckModelQuality, 'constraints'),
    },
    ModelDataQuality: { Statistics: json(gates.CheckDataQuality, 'statistics'), Constraints: json(gates.CheckDataQuality, 'constraints') },
    Bias: { PreTrainingReport: json(gates.CheckDataBias, 'report'), PostTrainingReport: json(gates.CheckModelBias, 'report') },
    ...(gates.CheckExplainability ? { Explainability: { Report: json(gates.CheckExplainability, 'report') } } : {}),
  };
}

/** The DriftCheckBaselines of a registration: the baselines as the gates used them. */
export function driftCheckBaselines(gates: RegisteredGates, engine: GateEngine): Record<string, Value> {
  const configFile = (check: 'data_bias' | 'explainability') => {
    const uri = engine.configFile(check);
    return uri === undefined ? {} : { ConfigFile: { ContentType: 'application/json', S3Uri: uri } };
  };
  return {
    Bias: {
      PreTrainingConstraints: json(gates.CheckDataBias, 'driftConstraints'),
      PostTrainingConstraints: json(gates.CheckModelBias, 'driftConstraints'),
      ...configFile('data_bias'),
    },
    ...(gates.CheckExplainability
      ? { Explainability: { Constraints: json(gates.CheckExplainability, 'driftConstraints'), ...configFile('explainability') } }
      : {}),
    ModelDataQuality: { Statistics: json(gates.CheckDataQuality, 'driftStatistics'), Constraints: json(gates.CheckDataQuality, 'driftConstraints') },
    ModelQuality: { Statistics: json(gates.CheckModelQuality, 'driftStatistics'), Constraints: json(gates.CheckModelQuality, 'driftConstraints') },
  };
}
