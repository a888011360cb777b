// Minimal typings for the parts of dcmjs Receptive uses (the package ships none).
declare module 'dcmjs' {
  interface DicomDictInstance { meta: Record<string, unknown>; dict: Record<string, unknown>; write(opts?: Record<string, unknown>): ArrayBuffer }
  const dcmjs: {
    data: {
      DicomDict: new (meta: Record<string, unknown>) => DicomDictInstance;
      DicomMessage: { readFile(buf: ArrayBuffer, opts?: Record<string, unknown>): DicomDictInstance };
      DicomMetaDictionary: {
        naturalizeDataset(d: Record<string, unknown>): Record<string, unknown>;
        denaturalizeDataset(d: Record<string, unknown>): Record<string, unknown>;
      };
    };
  };
  export default dcmjs;
}
