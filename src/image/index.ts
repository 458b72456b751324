export * from './image-record';
export * from './resolve-image';
export * from './describe-image';
export { loadArchive, type LoadResult, type LoadedImage } from './archive/load-archive';
export { saveArchive, type SaveOptions } from './archive/save-archive';
export { writeImage, type WriteImageOptions, type WrittenImage } from './write-image';
export { recordImage, type RecordImageOptions, type RecordedImage } from './record-image';
