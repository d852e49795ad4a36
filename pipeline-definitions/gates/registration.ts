/**
 * What a registered model carries of its gates: ModelMetrics (the reports of this run) and
 * DriftCheckBaselines (what later runs and the monitoring compare with), from whichever engine
 * built the gates.
 */
import { Value } from '../dsl';
import { Gate, GateEngine, GateFile, GateName } from './gate';

/** The gates a registration reads: whichever of the data and model gates its definition runs. */
export type RegisteredGates = Readonly<Partial<Record<Exclude<GateName, 'CheckTrainingHealth'>, Gate>>>;

const json = (gate: Gate, kind: GateFile) => ({ ContentType: 'application/json', S3Uri: gate.file(kind) });

/** The members that are there (those of gates that ran). */
function defined(members: Record<string, Value | undefined>): Record<string, Value> {
  return Object.fromEntries(Object.entries(members).filter((entry): entry is [string, Value] => entry[1] !== undefined));
}

/** A section of the members that are there, or undefined when none is (the section is left out). */
function section(members: Record<string, Value | undefined>): Record<string, Value> | undefined {
  const present = defined(members);
  return Object.keys(present).length > 0 ? present : undefined;
}

/** The ModelMetrics of a registration: the evaluation's statistics and the reports of the gates that ran. */
export function modelMetrics(gates: RegisteredGates, evaluationStatisticsUri: Value): Record<string, Value> {
  const { CheckDataBias: dataBias, CheckDataQuality: dataQuality, CheckModelQuality: modelQuality, CheckModelBias: modelBias, CheckExplainability: explainability } = gates;
  return defined({
    ModelQuality: defined({
      Statistics: { ContentType: 'application/json', S3Uri: evaluationStatisticsUri },
      Constraints: modelQuality && json(modelQuality, 'constraints'),
    }),
    ModelDataQuality: dataQuality && { Statistics: json(dataQuality, 'statistics'), Constraints: json(dataQuality, 'constraints') },
    Bias: section({ PreTrainingReport: dataBias && json(dataBias, 'report'), PostTrainingReport: modelBias && json(modelBias, 'report') }),
    Explainability: explainability && { Report: json(explainability, 'report') },
  });
}

/**
 * The DriftCheckBaselines of a registration: the baselines as the gates that ran used them
 * (undefined when none ran).
 */
export function driftCheckBaselines(gates: RegisteredGates, engine: GateEngine): Record<string, Value> | undefined {
  const { CheckDataBias: dataBias, CheckDataQuality: dataQuality, CheckModelQuality: modelQuality, CheckModelBias: modelBias, CheckExplainability: explainability } = gates;
  const configFile = (check: 'data_bias' | 'explainability') => {
    const uri = engine.configFile(check);
    return uri === undefined ? undefined : { ContentType: 'application/json', S3Uri: uri };
  };
  const bias = section({
    PreTrainingConstraints: dataBias && json(dataBias, 'driftConstraints'),
    PostTrainingConstraints: modelBias && json(modelBias, 'driftConstraints'),
  });
  return section({
    Bias: bias && { ...bias, ...defined({ ConfigFile: dataBias && configFile('data_bias') }) },
    Explainability: explainability && defined({ Constraints: json(explainability, 'driftConstraints'), ConfigFile: configFile('explainability') }),
    ModelDataQuality: dataQuality && { Statistics: json(dataQuality, 'driftStatistics'), Constraints: json(dataQuality, 'driftConstraints') },
    ModelQuality: modelQuality && { Statistics: json(modelQuality, 'driftStatistics'), Constraints: json(modelQuality, 'driftConstraints') },
  });
}
