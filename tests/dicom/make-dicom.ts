// Builds DICOM Part 10 files with dcmjs (and compresses them with dcmjs-codecs) for the tests.
import dcmjs from 'dcmjs';
import codecs from 'dcmjs-codecs';

const { DicomMetaDictionary, DicomDict } = dcmjs.data;

export interface MakeOpts {
  rows: number; cols: number;
  pixels: Int16Array | Uint16Array | Uint8Array;
  bitsStored?: number;
  photometric?: 'MONOCHROME1' | 'MONOCHROME2' | 'RGB';
  slope?: number; intercept?: number;
  windows?: { center: number; width: number }[];
  voiFunction?: 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';
  voiLut?: { first: number; bits: number; data: number[] };
  pixelSpacing?: [number, number];
  transferSyntax?: keyof typeof codecs.constants.TransferSyntax;
}

export async function makeDicom(o: MakeOpts): Promise<Uint8Array> {
  const bits = o.pixels instanceof Uint8Array ? 8 : 16;
  const ds: Record<string, unknown> = {
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.1.1', SOPInstanceUID: '1.2.826.0.1.3680043.2.1125.1', Modality: 'DX',
    Rows: o.rows, Columns: o.cols, BitsAllocated: bits, BitsStored: o.bitsStored ?? bits, HighBit: (o.bitsStored ?? bits) - 1,
    PixelRepresentation: o.pixels instanceof Int16Array ? 1 : 0,
    SamplesPerPixel: o.photometric === 'RGB' ? 3 : 1, PhotometricInterpretation: o.photometric ?? 'MONOCHROME2',
    PixelData: [o.pixels.buffer.slice(o.pixels.byteOffset, o.pixels.byteOffset + o.pixels.byteLength)],
    _vrMap: { PixelData: bits === 8 ? 'OB' : 'OW' },
  };
  if (o.photometric === 'RGB') ds.PlanarConfiguration = 0;
  if (o.slope !== undefined) { ds.RescaleSlope = o.slope; ds.RescaleIntercept = o.intercept ?? 0; }
  if (o.windows) { ds.WindowCenter = o.windows.map((w) => w.center); ds.WindowWidth = o.windows.map((w) => w.width); }
  if (o.voiFunction) ds.VOILUTFunction = o.voiFunction;
  if (o.pixelSpacing) ds.PixelSpacing = o.pixelSpacing;
  if (o.voiLut) ds.VOILUTSequence = [{ LUTDescriptor: [o.voiLut.data.length, o.voiLut.first, o.voiLut.bits], LUTData: o.voiLut.data, LUTExplanation: 'test LUT', _vrMap: { LUTData: 'US' } }];
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer, MediaStorageSOPClassUID: ds.SOPClassUID,
    MediaStorageSOPInstanceUID: ds.SOPInstanceUID, TransferSyntaxUID: '1.2.840.10008.1.2.1', ImplementationClassUID: '1.2.826.0.1.3680043.2.1125',
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(ds);
  let buf = dict.write();
  if (o.transferSyntax && o.transferSyntax !== 'ExplicitVRLittleEndian') {
    await codecs.NativeCodecs.initializeAsync();
    const t = new codecs.Transcoder(buf);
    t.transcode(codecs.constants.TransferSyntax[o.transferSyntax]);
    buf = t.getDicomPart10();
  }
  return new Uint8Array(buf);
}
