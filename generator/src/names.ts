/**
 * Identifier rules of C and TypeScript, and "did you mean" suggestions.
 * Length: most of the file is the two reserved-word tables.
 */

/** Keywords of C (C17 plus C23) and the names the generated header itself defines. */
export const cReservedWords: ReadonlySet<string> = new Set([
  'alignas',
  'alignof',
  'auto',
  'bool',
  'break',
  'case',
  'char',
  'const',
  'constexpr',
  'continue',
  'default',
  'do',
  'double',
  'else',
  'enum',
  'extern',
  'false',
  'float',
  'for',
  'goto',
  'if',
  'inline',
  'int',
  'long',
  'nullptr',
  'register',
  'restrict',
  'return',
  'short',
  'signed',
  'sizeof',
  'static',
  'static_assert',
  'struct',
  'switch',
  'thread_local',
  'true',
  'typedef',
  'typeof',
  'typeof_unqual',
  'union',
  'unsigned',
  'void',
  'volatile',
  'while',
  // Macros the generated header or the SAL fallbacks define.
  'TRUE',
  'FALSE',
  'NULL',
  'UNREFERENCED_PARAMETER',
]);

/** Reserved words of TypeScript and JavaScript (strict mode), and names the generated module itself uses. */
export const tsReservedWords: ReadonlySet<string> = new Set([
  'break',
  'case',
  'catch',
  'class',
  'const',
  'continue',
  'debugger',
  'default',
  'delete',
  'do',
  'else',
  'enum',
  'export',
  'extends',
  'false',
  'finally',
  'for',
  'function',
  'if',
  'import',
  'in',
  'instanceof',
  'new',
  'null',
  'return',
  'super',
  'switch',
  'this',
  'throw',
  'true',
  'try',
  'typeof',
  'var',
  'void',
  'while',
  'with',
  'implements',
  'interface',
  'let',
  'package',
  'private',
  'protected',
  'public',
  'static',
  'yield',
  'await',
  'arguments',
  'eval',
  // Type names that a type alias may not take.
  'any',
  'unknown',
  'never',
  'object',
  'string',
  'number',
  'boolean',
  'bigint',
  'symbol',
  'undefined',
  // Names the generated declarations use for their own helpers.
  'ROLE',
  'Box',
  'RoleFunction',
  'declareRole',
  'metadata',
]);

/** Names that C reserves for the implementation: a leading underscore and a capital, or a double underscore. */
export function isCImplementationReserved(name: string): boolean {
  return /^_[A-Z]/.test(name) || name.includes('__');
}

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/**
 * The closest candidate to `name`, or undefined when none is close enough: at most a third of the
 * longer name's length in edits (case-insensitively), and the closest by edits, then alphabetically.
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = name.toLowerCase();
  for (const candidate of candidates) {
    const distance = levenshtein(lower, candidate.toLowerCase());
    const limit = Math.max(1, Math.floor(Math.max(name.length, candidate.length) / 3));
    if (distance > limit) continue;
    if (distance < bestDistance || (distance === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

export function didYouMean(name: string, candidates: Iterable<string>): string {
  const suggestion = closest(name, candidates);
  return suggestion === undefined || suggestion === name ? '' : ` Did you mean "${suggestion}"?`;
}

/** didYouMean with its candidates given lazily, as a Suggester makes it. */
export type Suggest = (name: string, candidates: () => Iterable<string>) => string;

/**
 * didYouMean with a budget: each suggestion compares the name with every candidate, so a spec with
 * thousands of unknown names among thousands of entries would take quadratic time; after the
 * first `max` suggestions of a run, the messages go without one.
 */
export function suggester(max = 1000): Suggest {
  let left = max;
  return (name, candidates) => {
    if (left <= 0) return '';
    left--;
    return didYouMean(name, candidates());
  };
}

/**
 * File stem for an entry's page: the name in lower case, as the Windows reference names its pages
 * (MINIPORT_SYNCHRONIZE_INTERRUPT → miniport_synchronize_interrupt), so both are found the same way.
 * A name too long for a file name keeps its first 171 characters and a hash of the whole.
 */
export function fileStem(name: string): string {
  const lower = name.toLowerCase();
  if (lower.length <= stemLengthMax) return lower;
  // A name longer than a file name may be (identifiers go up to 2,048 characters): its start and a
  // hash of the whole name, so two long names that share a start still get pages of their own.
  return `${lower.slice(0, stemLengthMax - 9)}-${fnv1a(name)}`;
}

// ---------------------------------------------------------------------------------------------------
// File names

/** Longest file stem of a page or scaffold: leaves room, under a file system's 255 bytes, for `.md` and a temporary suffix. */
const stemLengthMax = 180;

/** FNV-1a, 32 bits, as 8 hex digits: a short, stable tag for a long name. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

// ---------------------------------------------------------------------------------------------------
// Names a driver function cannot take in C

/** The functions (and function-like macros) of the C17 standard library, and main. */
const cLibraryFunctions: readonly string[] = [
  // assert.h, ctype.h, errno.h, locale.h, setjmp.h, signal.h, stdarg.h, stddef.h
  'assert',
  'isalnum',
  'isalpha',
  'isblank',
  'iscntrl',
  'isdigit',
  'isgraph',
  'islower',
  'isprint',
  'ispunct',
  'isspace',
  'isupper',
  'isxdigit',
  'tolower',
  'toupper',
  'errno',
  'setlocale',
  'localeconv',
  'setjmp',
  'longjmp',
  'signal',
  'raise',
  'va_start',
  'va_arg',
  'va_copy',
  'va_end',
  'offsetof',
  // fenv.h, inttypes.h
  'feclearexcept',
  'fegetexceptflag',
  'feraiseexcept',
  'fesetexceptflag',
  'fetestexcept',
  'fegetround',
  'fesetround',
  'fegetenv',
  'feholdexcept',
  'fesetenv',
  'feupdateenv',
  'imaxabs',
  'imaxdiv',
  'strtoimax',
  'strtoumax',
  'wcstoimax',
  'wcstoumax',
  // stdio.h
  'remove',
  'rename',
  'tmpfile',
  'tmpnam',
  'fclose',
  'fflush',
  'fopen',
  'freopen',
  'setbuf',
  'setvbuf',
  'fprintf',
  'fscanf',
  'printf',
  'scanf',
  'snprintf',
  'sprintf',
  'sscanf',
  'vfprintf',
  'vfscanf',
  'vprintf',
  'vscanf',
  'vsnprintf',
  'vsprintf',
  'vsscanf',
  'fgetc',
  'fgets',
  'fputc',
  'fputs',
  'getc',
  'getchar',
  'putc',
  'putchar',
  'puts',
  'ungetc',
  'fread',
  'fwrite',
  'fgetpos',
  'fseek',
  'fsetpos',
  'ftell',
  'rewind',
  'clearerr',
  'feof',
  'ferror',
  'perror',
  'gets',
  // stdlib.h
  'atof',
  'atoi',
  'atol',
  'atoll',
  'strtod',
  'strtof',
  'strtold',
  'strtol',
  'strtoll',
  'strtoul',
  'strtoull',
  'rand',
  'srand',
  'aligned_alloc',
  'calloc',
  'free',
  'malloc',
  'realloc',
  'abort',
  'atexit',
  'at_quick_exit',
  'exit',
  '_Exit',
  'getenv',
  'quick_exit',
  'system',
  'bsearch',
  'qsort',
  'abs',
  'labs',
  'llabs',
  'div',
  'ldiv',
  'lldiv',
  'mblen',
  'mbtowc',
  'wctomb',
  'mbstowcs',
  'wcstombs',
  // string.h
  'memcpy',
  'memmove',
  'strcpy',
  'strncpy',
  'strcat',
  'strncat',
  'memcmp',
  'strcmp',
  'strcoll',
  'strncmp',
  'strxfrm',
  'memchr',
  'strchr',
  'strcspn',
  'strpbrk',
  'strrchr',
  'strspn',
  'strstr',
  'strtok',
  'memset',
  'strerror',
  'strlen',
  // time.h, uchar.h
  'clock',
  'difftime',
  'mktime',
  'time',
  'timespec_get',
  'asctime',
  'ctime',
  'gmtime',
  'localtime',
  'strftime',
  'mbrtoc16',
  'c16rtomb',
  'mbrtoc32',
  'c32rtomb',
  // wchar.h, wctype.h
  'fwprintf',
  'fwscanf',
  'swprintf',
  'swscanf',
  'vfwprintf',
  'vfwscanf',
  'vswprintf',
  'vswscanf',
  'vwprintf',
  'vwscanf',
  'wprintf',
  'wscanf',
  'fgetwc',
  'fgetws',
  'fputwc',
  'fputws',
  'fwide',
  'getwc',
  'getwchar',
  'putwc',
  'putwchar',
  'ungetwc',
  'wcstod',
  'wcstof',
  'wcstold',
  'wcstol',
  'wcstoll',
  'wcstoul',
  'wcstoull',
  'wcscpy',
  'wcsncpy',
  'wmemcpy',
  'wmemmove',
  'wcscat',
  'wcsncat',
  'wcscmp',
  'wcscoll',
  'wcsncmp',
  'wcsxfrm',
  'wmemcmp',
  'wcschr',
  'wcscspn',
  'wcspbrk',
  'wcsrchr',
  'wcsspn',
  'wcsstr',
  'wcstok',
  'wmemchr',
  'wcslen',
  'wmemset',
  'wcsftime',
  'btowc',
  'wctob',
  'mbsinit',
  'mbrlen',
  'mbrtowc',
  'wcrtomb',
  'mbsrtowcs',
  'wcsrtombs',
  'iswalnum',
  'iswalpha',
  'iswblank',
  'iswcntrl',
  'iswdigit',
  'iswgraph',
  'iswlower',
  'iswprint',
  'iswpunct',
  'iswspace',
  'iswupper',
  'iswxdigit',
  'iswctype',
  'wctype',
  'towlower',
  'towupper',
  'towctrans',
  'wctrans',
  // complex.h (each also with an f and an l suffix)
  ...[
    'cabs',
    'cacos',
    'cacosh',
    'carg',
    'casin',
    'casinh',
    'catan',
    'catanh',
    'ccos',
    'ccosh',
    'cexp',
    'cimag',
    'clog',
    'conj',
    'cpow',
    'cproj',
    'creal',
    'csin',
    'csinh',
    'csqrt',
    'ctan',
    'ctanh',
    'CMPLX',
  ].flatMap((name) => [name, `${name}f`, `${name}l`]),
  // math.h (each also with an f and an l suffix)
  ...[
    'acos',
    'asin',
    'atan',
    'atan2',
    'cos',
    'sin',
    'tan',
    'acosh',
    'asinh',
    'atanh',
    'cosh',
    'sinh',
    'tanh',
    'exp',
    'exp2',
    'expm1',
    'frexp',
    'ilogb',
    'ldexp',
    'log',
    'log10',
    'log1p',
    'log2',
    'logb',
    'modf',
    'scalbn',
    'scalbln',
    'cbrt',
    'fabs',
    'hypot',
    'pow',
    'sqrt',
    'erf',
    'erfc',
    'lgamma',
    'tgamma',
    'ceil',
    'floor',
    'nearbyint',
    'rint',
    'lrint',
    'llrint',
    'round',
    'lround',
    'llround',
    'trunc',
    'fmod',
    'remainder',
    'remquo',
    'copysign',
    'nan',
    'nextafter',
    'nexttoward',
    'fdim',
    'fmax',
    'fmin',
    'fma',
  ].flatMap((name) => [name, `${name}f`, `${name}l`]),
  'fpclassify',
  'isfinite',
  'isinf',
  'isnan',
  'isnormal',
  'signbit',
  'isgreater',
  'isgreaterequal',
  'isless',
  'islessequal',
  'islessgreater',
  'isunordered',
];

const cLibrarySet: ReadonlySet<string> = new Set(cLibraryFunctions);

/** Prefixes C17 §7.31 reserves for future library functions when a lower-case letter follows. */
const cFuturePrefixes = /^(?:str|mem|wcs|is|to)[a-z]/;
/** Prefixes of the threads.h and stdatomic.h families, reserved the same way. */
const cFamilyPrefixes = /^(?:atomic_|memory_order_|cnd_|mtx_|thrd_|tss_)/;

/**
 * The function the WDK calls a driver at (`DRIVER_INITIALIZE DriverEntry;`): the one name a driver
 * function must carry, and only the entry point's (see scaffold nameProblem).
 */
export const wdkEntryPoint = 'DriverEntry';
/** Names the WDK gives a meaning of its own: the entry point, and the /GS entry the linker wraps it in. */
const wdkNames: ReadonlySet<string> = new Set([wdkEntryPoint, 'GsDriverEntry']);
/** Prefixes of the routines of the Windows kernel and its frameworks: a driver names its own routines otherwise. */
const wdkPrefixes = /^(Nt|Zw|Ke|Ki|Ex|Io|Mm|Mi|Ob|Ps|Po|Se|Cm|Hal|Rtl|Dbg|Ndis|Wdf|Wmi|FsRtl|Flt|Tdi)(?=[A-Z])/;

/**
 * Why a driver function may not take `name` in C (the C library, main, the WDK), with a suggestion,
 * or null when it may: `{ reason, suggestion }`.
 */
export function cLibraryConflict(name: string): { reason: string; suggestion: string } | null {
  const suggestion = (base: string): string => `Contoso${base.charAt(0).toUpperCase()}${base.slice(1)}`;
  if (name === 'main') {
    return {
      reason: `is the name of a C program's entry point; a driver function of that name conflicts with it (gcc -Werror fails)`,
      suggestion: suggestion(name),
    };
  }
  if (cLibrarySet.has(name)) {
    return {
      reason: `is a name of the C standard library; a driver function of that name conflicts with its declaration (gcc -Werror fails)`,
      suggestion: suggestion(name),
    };
  }
  if (cFuturePrefixes.test(name) || cFamilyPrefixes.test(name)) {
    return {
      reason: `is reserved for the C standard library (names starting with str, mem, wcs, is or to and a lower-case letter)`,
      suggestion: suggestion(name),
    };
  }
  if (wdkNames.has(name))
    return { reason: 'is the entry point the WDK gives every driver', suggestion: suggestion(name) };
  const prefix = wdkPrefixes.exec(name);
  if (prefix !== null) {
    return {
      reason: `starts with ${prefix[1]}, a prefix the WDK reserves for its own routines`,
      suggestion: suggestion(name.slice(prefix[1]!.length)),
    };
  }
  return null;
}
