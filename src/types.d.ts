declare module '*.sql' {
  const text: string;
  export default text;
}
declare module '*.css' {
  const path: string;
  export default path;
}
declare module '*.min.js' {
  const path: string;
  export default path;
}
