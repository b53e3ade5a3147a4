// Deterministic test data generated inside the server: each column is a fixed
// formula of the row id, so every load of the same size yields the same rows
// and checks can compute what the API must answer.
const ADJECTIVES = [
  "Silent", "Crimson", "Last", "Hidden", "Golden", "Broken", "Endless", "Frozen", "Lonely", "Wild",
  "Dark", "Bright", "Lost", "Secret", "Electric", "Northern", "Midnight", "Paper", "Iron", "Velvet",
];
const NOUNS = [
  "River", "Empire", "Garden", "Signal", "Horizon", "Harbor", "Winter", "Machine", "Orchard", "Planet",
  "Mirror", "Station", "Forest", "Voyage", "Kingdom", "Letter", "Summer", "Island", "Engine", "Shadow",
  "Desert", "Circus", "Lantern",
];
const FIRST_NAMES = [
  "Anna", "Boris", "Clara", "Denis", "Elena", "Fedor", "Galina", "Igor", "Irina", "Kirill",
  "Larisa", "Maxim", "Nadia", "Oleg", "Polina", "Roman", "Sofia", "Timur", "Ulyana", "Viktor",
  "Yana", "Zakhar", "Alexei", "Daria", "Pavel", "Marina", "Sergei", "Olga", "Ivan", "Vera", "Artem",
];
const SURNAMES = [
  "Ivanov", "Petrov", "Sidorov", "Smirnov", "Kuznetsov", "Popov", "Vasiliev", "Sokolov", "Mikhailov",
  "Novikov", "Fedorov", "Morozov", "Volkov", "Alekseev", "Lebedev", "Semenov", "Egorov", "Pavlov",
  "Kozlov", "Stepanov", "Nikolaev", "Orlov", "Andreev", "Makarov", "Nikitin", "Zakharov", "Zaitsev",
  "Soloviev", "Borisov", "Yakovlev", "Grigoriev", "Romanov", "Vorobiev", "Sergeev", "Kuzmin", "Frolov",
  "Alexandrov", "Dmitriev", "Korolev", "Gusev", "Kiselev", "Ilyin", "Maximov", "Polyakov", "Sorokin",
  "Vinogradov", "Kovalev", "Belov", "Medvedev", "Antonov", "Tarasov", "Zhukov", "Baranov", "Filippov",
];

function sqlArray(words: string[]): string {
  return `ARRAY[${words.map((w) => `'${w}'`).join(",")}]`;
}

export function moviesInsert(count: number): string {
  return `INSERT INTO movies (id, name, year, duration)
SELECT i,
  (${sqlArray(ADJECTIVES)})[1 + (i * 7) % ${ADJECTIVES.length}] || ' ' ||
  (${sqlArray(NOUNS)})[1 + (i * 11) % ${NOUNS.length}] || ' ' || (1 + (i * 13) % 97),
  1930 + (i * 7919) % 94,
  70 + (i * 104729) % 120
FROM generate_series(1::bigint, ${count}::bigint) AS i`;
}

export function customersInsert(count: number): string {
  return `INSERT INTO customers (id, name, surname, birthday, email)
SELECT i, f, s, date '1940-01-01' + ((i * 7919) % 25000)::int, lower(f || '.' || s || i) || '@example.com'
FROM (
  SELECT i,
    (${sqlArray(FIRST_NAMES)})[1 + (i * 17) % ${FIRST_NAMES.length}] AS f,
    (${sqlArray(SURNAMES)})[1 + (i * 29) % ${SURNAMES.length}] AS s
  FROM generate_series(1::bigint, ${count}::bigint) AS i
) AS g`;
}

/** Sessions spread over 2021, customers and movies picked by multiplicative hashing of the id. */
export function sessionsInsert(count: number, customers: number, movies: number): string {
  return `INSERT INTO sessions (id, start_time, customer_id, movie_id)
SELECT i,
  timestamp '2021-01-01 00:00:00'
    + ((i * 31536000::bigint) / ${count}) * interval '1 second'
    + ((i * 104729) % 1000000) * interval '1 microsecond',
  1 + (i * 2654435761) % ${customers},
  1 + (i * 40503 + i / 7) % ${movies}
FROM generate_series(1::bigint, ${count}::bigint) AS i`;
}
