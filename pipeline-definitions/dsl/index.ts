export * from './conditions';
export * from './expressions';
export * from './parameters';
export * from './pipeline';
export * from './steps';
export * from './processing';
export * from './tuning';
export * from './automl';
